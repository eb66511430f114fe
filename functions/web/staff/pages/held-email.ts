import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { messageKey } from '#shared/domain/email.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import {
  attachHeldEmail,
  downloadHeldEmail,
  type HeldEmailRecord,
  heldEmail,
  listHeldEmails,
  openHeldEmail,
} from '#shared/usecases/held-email.ts';
import { download, field, formBody, redirect } from '../../http.ts';
import { csrfToken } from '../../staff-auth.ts';
import { type StaffPageContext, staffPage } from '../../staff-route.ts';
import {
  button,
  errorFor,
  errorSummary,
  type FieldError,
  hidden,
  insetText,
  summaryList,
  table,
  textInput,
} from '../../ui/components.ts';
import { html, join } from '../../ui/html.ts';
import { instantWords, multiline } from '../words.ts';
import { caseHref, caseLink, refusal } from './common.ts';

/**
 * Email intake holds a message it may not thread nor make a case of by itself (a stranger quoting someone
 * else's reference, a reply address with a wrong signature). Staff read it here and attach it to a case or
 * open a new case from it, once.
 */

const PATH = '/staff/held-email';
const hrefOf = (key: string) => `${PATH}/${encodeURIComponent(key)}`;

function keyOf(ctx: StaffPageContext): string {
  const key = ctx.event.pathParameters?.messageKey;
  if (!key) throw new NotFoundError('There is no held email like that: check the link');
  return key;
}

function sender(record: HeldEmailRecord): string {
  const { from } = record.held;
  return from.name ? `${from.name} <${from.address}>` : from.address;
}

/** GET /staff/held-email: the messages waiting for staff, newest first. */
export const heldEmailList = staffPage(async (ctx) => {
  const held = await listHeldEmails(ctx.deps, ctx.staff);
  const body =
    held.length === 0
      ? html`<p class="govuk-body" data-testid="held-empty">No email is waiting: every message has been added to a case, opened as a case or ignored.</p>`
      : table({
          caption: `${held.length} email${held.length === 1 ? '' : 's'} waiting, newest first`,
          head: ['Received', 'From', 'Subject', 'Why it was held'],
          rows: held.map((record) => [
            instantWords(record.held.receivedAt),
            sender(record),
            html`<a class="govuk-link" href="${hrefOf(messageKey(record.messageId))}">${record.held.subject}</a>`,
            record.held.reasons.join('; '),
          ]),
        });
  return ctx.render(
    'Held email',
    html`<h1 class="govuk-heading-l">Held email</h1>
<p class="govuk-body">Email that was not added to a case nor opened as a new case by itself, because it names a case its sender has no right to, or cannot be matched to a case safely. Read each one, then add it to the right case or open a new case from it.</p>
${body}`,
  );
});

function renderHeld(
  ctx: StaffPageContext,
  record: HeldEmailRecord,
  options: { errors?: FieldError[]; reference?: string; status?: number } = {},
): APIGatewayProxyStructuredResultV2 {
  const { held } = record;
  const errors = options.errors ?? [];
  const href = hrefOf(messageKey(record.messageId));
  const outcome =
    record.outcome === 'held'
      ? html``
      : insetText(
          html`${record.detail ?? 'It has been dealt with.'}${record.caseId ? html` ${caseLink(record.caseId, 'Open the case')}` : html``}`,
          'held-outcome',
        );
  const actions =
    record.outcome === 'held'
      ? html`<h2 class="govuk-heading-m">What to do with it</h2>
<form method="post" action="${href}" novalidate id="attach-form" data-testid="attach-form">
  ${hidden('csrf', csrfToken(ctx))}
  ${hidden('action', 'attach')}
  ${textInput({
    name: 'reference',
    label: 'Add it to a case',
    hint: 'The reference of the case, like CMP-2026-000123. It is recorded as correspondence from its sender, who does not become the complainant.',
    error: errorFor(errors, 'reference'),
    value: options.reference ?? '',
    spellcheck: false,
    width: '20',
  })}
  ${button('Add to the case')}
</form>
<form method="post" action="${href}" novalidate id="open-form" data-testid="open-form">
  ${hidden('csrf', csrfToken(ctx))}
  ${hidden('action', 'open')}
  <p class="govuk-body">Or open a new case from it: channel email, received when it arrived (${instantWords(held.receivedAt)}), with its sender as the complainant.</p>
  ${button('Open as a new case', { secondary: true })}
</form>`
      : html``;
  const body = html`${errorSummary(errors)}
<h1 class="govuk-heading-l">Held email</h1>
${outcome}
${summaryList([
  { key: 'From', value: sender(record) },
  { key: 'Received', value: instantWords(held.receivedAt) },
  { key: 'Subject', value: held.subject },
  { key: 'Why it was held', value: held.reasons.join('; ') },
  ...(held.flags.length ? [{ key: 'Check before trusting it', value: held.flags.join('; ') }] : []),
  ...(held.attachments.length || held.refusedAttachments.length
    ? [
        {
          key: 'Files',
          value: html`<ul class="govuk-list">${join([
            ...held.attachments.map((file) => html`<li>${file.name} (kept)</li>`),
            ...held.refusedAttachments.map((file) => html`<li>${file.name} (not kept: ${file.problem})</li>`),
          ])}</ul>`,
        },
      ]
    : []),
])}
<h2 class="govuk-heading-m">The message</h2>
<div class="govuk-inset-text" data-testid="held-text"><p class="govuk-body">${multiline(held.text || '(no text)')}</p></div>
<p class="govuk-body"><a class="govuk-link" href="${href}/raw" data-testid="held-raw">Download the email as received (.eml)</a></p>
${
  record.accesses?.length
    ? html`<p class="govuk-body" data-testid="held-accesses">Downloaded by ${record.accesses.map((access) => `${access.byEmail ?? access.by} (${instantWords(access.at)})`).join(', ')}.</p>`
    : html``
}
${actions}
<p class="govuk-body"><a class="govuk-link" href="${PATH}">Back to held email</a></p>`;
  return ctx.render('Held email', body, {
    status: options.status ?? (errors.length ? 422 : 200),
    hasErrors: errors.length > 0,
  });
}

/** GET /staff/held-email/{messageKey}: one held message, to read and act on. */
export const heldEmailPage = staffPage(async (ctx) =>
  renderHeld(ctx, await heldEmail(ctx.deps, keyOf(ctx), ctx.staff)),
);

/** GET /staff/held-email/{messageKey}/raw: the message as received, always a download (message/rfc822). */
export const downloadHeldEmailRaw = staffPage(async (ctx) => {
  const { bytes, fileName } = await downloadHeldEmail(ctx.deps, keyOf(ctx), ctx.staff);
  return download(bytes, fileName, 'message/rfc822');
});

/**
 * POST /staff/held-email/{messageKey}: `action=attach` with a `reference`, or `action=open`. A refusal (no such
 * case, someone else acted first, not this role) shows the message again with what went wrong.
 */
export const heldEmailAction = staffPage(async (ctx) => {
  const key = keyOf(ctx);
  const body = formBody(ctx.event);
  const action = field(body, 'action');
  const reference = field(body, 'reference');
  try {
    if (action === 'attach') {
      const { caseId } = await attachHeldEmail(ctx.deps, key, reference, ctx.staff);
      return redirect(`${caseHref(caseId)}?done=held-attached`);
    }
    if (action === 'open') {
      const { caseId } = await openHeldEmail(ctx.deps, key, ctx.staff);
      return redirect(`${caseHref(caseId)}?done=held-opened`);
    }
  } catch (error) {
    const found = refusal(error);
    if (!found) throw error;
    const record = await heldEmail(ctx.deps, key, ctx.staff);
    // Shown beside the form that was sent; a refusal once the message is dealt with links to the page top.
    const fieldName = action === 'attach' ? 'reference' : 'open-form';
    return renderHeld(ctx, record, {
      errors: [
        {
          field: fieldName,
          message: found.message,
          ...(record.outcome === 'held' ? {} : { href: '#main-content' }),
        },
      ],
      reference,
      status: found.status,
    });
  }
  const record = await heldEmail(ctx.deps, key, ctx.staff);
  return renderHeld(ctx, record, {
    errors: [{ field: 'reference', message: 'Choose to add it to a case or to open a new case from it' }],
    status: 400,
  });
});
