import type { CaseState } from '#shared/domain/case.ts';
import { rawEmailsOf } from '#shared/usecases/raw-email.ts';
import { sizeWords, typeWords } from '../../attachments.ts';
import { bulletList, summaryList, table } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import { CHANNEL_WORDS, civil, instantWords, multiline } from '../words.ts';

/** What the complaint is, how it came in, and the files the resident sent. */

export function complaintDetails(state: CaseState): SafeHtml {
  const { complaint } = state;
  return html`<h2 class="govuk-heading-m" id="complaint">The complaint</h2>
${summaryList([
  {
    key: 'Received',
    value: `${instantWords(state.receivedAt)} by ${(CHANNEL_WORDS[state.channel] ?? state.channel).toLowerCase()}`,
  },
  ...(state.email
    ? [
        {
          key: 'The email',
          value: html`From ${emailAddressWords(state.email.from)}${state.email.forwardedBy ? html`, forwarded by ${emailAddressWords(state.email.forwardedBy)}` : html``}. ${rawEmailLink(state, state.email.messageId)}${state.email.flags.length ? html`<p class="govuk-body">Check before trusting it: ${state.email.flags.join('; ')}</p>` : html``}`,
        },
      ]
    : []),
  { key: 'What went wrong', value: multiline(complaint.whatHappened) },
  ...(complaint.happenedOn ? [{ key: 'When it happened', value: civil(complaint.happenedOn) }] : []),
  ...(complaint.becameAwareOn
    ? [{ key: 'When the resident became aware', value: civil(complaint.becameAwareOn) }]
    : []),
  { key: 'Outcome wanted', value: multiline(complaint.outcomeWanted) },
  ...(state.relatedIssues.length
    ? [{ key: 'Additional issues', value: bulletList(state.relatedIssues.map((issue) => multiline(issue))) }]
    : []),
])}`;
}

function emailAddressWords(address: { name?: string; address: string }): string {
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

/** The download of a raw email (message/rfc822, staff only, recorded on the case as an access). */
export function rawEmailLink(state: CaseState, messageId: string): SafeHtml {
  const index = rawEmailsOf(state).findIndex((email) => email.messageId === messageId);
  if (index < 0) return html``;
  return html`<a class="govuk-link" href="/staff/case/${encodeURIComponent(state.caseId)}/emails/${index}" data-testid="raw-email">Download the email as received (.eml)</a>`;
}

/** The resident's photos and documents: what each is, and a link to download it (staff only). */
export function attachmentsSection(state: CaseState): SafeHtml {
  const files = state.complaint.attachments ?? [];
  return html`<h2 class="govuk-heading-m" id="attachments">Photos and documents</h2>
${
  files.length === 0
    ? html`<p class="govuk-body">The resident did not send any.</p>`
    : table({
        caption: `${files.length} file${files.length === 1 ? '' : 's'} sent with the complaint`,
        head: ['File', 'Type', 'Size', 'SHA-256 (first 12 characters)'],
        rows: files.map((file, index) => [
          html`<a class="govuk-link" href="/staff/case/${encodeURIComponent(state.caseId)}/attachments/${index}" data-testid="attachment">Download <span dir="auto">${file.name}</span></a>`,
          typeWords(file.contentType),
          sizeWords(file.size),
          html`<code title="${file.sha256}">${file.sha256.slice(0, 12)}</code>`,
        ]),
      })
}`;
}
