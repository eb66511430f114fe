import type { EscalationRefusal } from '#shared/domain/resident-actions.ts';
import { formatCivilDate, formatLondonInstant } from '#shared/notifications/words.ts';
import type { Contact, ProviderProfile, StagePolicy } from '#shared/policy/profile.ts';
import { toLondon } from '#shared/time/london.ts';
import { bulletList } from '../ui/components.ts';
import { dateWords, instantWords } from '../ui/dates.ts';
import { html, join, type SafeHtml } from '../ui/html.ts';

/** Small wording and markup helpers shared by the resident pages. Everything goes through `html`. */

/** Free text typed by a person: one paragraph per line, direction detected per paragraph (RTL text). */
export function paragraphs(text: string | undefined, className = 'govuk-body'): SafeHtml {
  const lines = (text ?? '')
    .split(/(?:\r\n|\r|\n|\u2028|\u2029)+/)
    .map((line) => line.trim())
    .filter(Boolean);
  return join(lines.map((line) => html`<p class="${className}" dir="auto">${line}</p>`));
}

export { durationWords } from '#shared/domain/clocks.ts';

export function workingDays(count: number): string {
  return `${count} working day${count === 1 ? '' : 's'}`;
}

export { dateWords, instantWords };

/** A deadline as a resident reads it: "the end of Monday 16 March 2026" (deadlines end at 23:59 London). */
export function deadlineWords(dueAt: string): string {
  try {
    const { date, minuteOfDay } = toLondon(dueAt);
    return minuteOfDay >= 23 * 60 + 59 ? `the end of ${formatCivilDate(date)}` : formatLondonInstant(dueAt);
  } catch {
    return dueAt;
  }
}

export function pounds(amount: number): string {
  const digits = Number.isInteger(amount) ? 0 : 2;
  return `£${amount.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: 2 })}`;
}

const SAFE_WEB = /^https?:\/\//i;

/** Links only to web, mail and phone addresses; anything else is shown as text. */
export function webLink(href: string, text = href): SafeHtml {
  return SAFE_WEB.test(href)
    ? html`<a class="govuk-link" href="${href}" rel="noreferrer noopener">${text}</a>`
    : html`${text}`;
}

export function emailLink(email: string): SafeHtml {
  return html`<a class="govuk-link" href="mailto:${email}">${email}</a>`;
}

export function phoneLink(phone: string): SafeHtml {
  return html`<a class="govuk-link" href="tel:${phone.replace(/[^\d+]/g, '')}">${phone}</a>`;
}

/** A contact's details as a bulleted list: phone, email, website, address. */
export function contactList(contact: Contact, options: { address?: boolean } = {}): SafeHtml {
  const items: SafeHtml[] = [];
  if (contact.phone) items.push(html`Phone: ${phoneLink(contact.phone)}`);
  if (contact.email) items.push(html`Email: ${emailLink(contact.email)}`);
  if (contact.website) items.push(html`Website: ${webLink(contact.website)}`);
  if (contact.address && options.address !== false) items.push(html`Write to: ${contact.address}`);
  return bulletList(items);
}

/** A link styled as a button (GET: it only opens a page). */
export function linkButton(
  href: string,
  text: string,
  variant?: 'secondary' | 'warning' | 'start',
): SafeHtml {
  const modifier = variant ? ` govuk-button--${variant}` : '';
  const icon =
    variant === 'start'
      ? html`<svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false"><path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/></svg>`
      : html``;
  return html`<a href="${href}" role="button" draggable="false" class="govuk-button${modifier}" data-module="govuk-button">${text}${icon}</a>`;
}

/**
 * The resident's case pages. The signed link token travels only in these case-scoped URLs (and in the
 * hidden field of the confirm forms); no other page carries it.
 */
export function casePath(
  caseId: string,
  token: string,
  action?: 'escalate' | 'withdraw' | 'add-information',
): string {
  const path = `/cases/${encodeURIComponent(caseId)}${action ? `/${action}` : ''}`;
  return `${path}?token=${encodeURIComponent(token)}`;
}

/** The name of stage n from the profile ("Stage 1"), or a sensible default. */
export function stageName(profile: ProviderProfile, stage: number): string {
  return profile.stages[stage - 1]?.name ?? `Stage ${stage}`;
}

/** Control characters (CR, LF, NUL...) have no place in a one-line answer such as a name or email. */
export function oneLine(value: string): string {
  return value
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** When a stage's response clock starts, as the resident reads it ("of receiving your complaint"). */
export function responseClockWords(stage: StagePolicy, index: number): string {
  switch (stage.responseClockStartsAt) {
    case 'acknowledgement':
      return index === 0 ? 'of acknowledging your complaint' : 'of acknowledging your request';
    case 'receipt':
      return index === 0 ? 'of receiving your complaint' : 'of receiving your request';
    case 'escalation-request':
      return 'of your request';
  }
}

/** Why stage 2 cannot be asked for now (see escalationRefusal), in words. */
export function escalationRefusalWords(profile: ProviderProfile, refusal: EscalationRefusal): string {
  const stage2 = stageName(profile, 2).toLowerCase();
  switch (refusal.reason) {
    case 'already-requested':
      return `You have already asked for ${stage2}. We are dealing with it.`;
    case 'final-response-sent':
      return `We have sent our final response, so there is no further stage with us. If you are still unhappy, you can ask the ${profile.ombudsman.name} to look at your complaint.`;
    case 'window-ended': {
      const ended = refusal.endedAt ? ` ended at ${deadlineWords(refusal.endedAt)}` : ' has ended';
      return `The time to ask for ${stage2}${ended}. Contact us if you are still unhappy: we can consider a late request if there is a good reason.`;
    }
    case 'closed':
      return 'Your complaint is closed. If something new goes wrong, you can make a new complaint.';
    case 'before-stage1-response':
      return `You can ask for ${stage2} after we have sent you our ${stageName(profile, 1).toLowerCase()} response.`;
  }
}
