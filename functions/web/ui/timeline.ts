import { instantWords } from './dates.ts';
import { html, join, type SafeHtml } from './html.ts';

/**
 * A case's history, as both the resident's case page and the staff case page draw it. What each entry says is
 * the audience's own (`resident/case-timeline.ts`, `staff/case-view/timeline.ts`: staff see internal notes,
 * letters' delivery and who did what); how the list is drawn is here.
 */

/** One thing that happened, in the audience's words. */
export interface TimelineEntry {
  /** The event's type, as the page's tests and scripts find it. */
  type: string;
  at: string;
  title: string;
  body: SafeHtml;
  /** Who did it: shown only to an audience that is told (staff). */
  by?: string;
}

/** Residents read the latest first, each entry ruled off, never told which member of staff did what; staff read the log in order, with who. */
const AUDIENCE = {
  resident: { newestFirst: true, ruled: true, who: false },
  staff: { newestFirst: false, ruled: false, who: true },
} as const;
export type TimelineAudience = keyof typeof AUDIENCE;

export function timeline(entries: readonly TimelineEntry[], audience: TimelineAudience): SafeHtml {
  const { newestFirst, ruled, who } = AUDIENCE[audience];
  const items = newestFirst ? [...entries].reverse() : entries;
  return html`<ol class="govuk-list"${newestFirst ? html` reversed` : html``} data-testid="timeline">
${join(
  items.map(
    (
      entry,
    ) => html`<li${ruled ? html`` : html` class="govuk-!-margin-bottom-6"`} data-event-type="${entry.type}">
  <h3 class="govuk-heading-s govuk-!-margin-bottom-1">${entry.title}</h3>
  <p class="govuk-body-s govuk-!-margin-bottom-2"><time datetime="${entry.at}">${instantWords(entry.at)}</time>${who && entry.by ? ` · ${entry.by}` : ''}</p>
  ${entry.body}${ruled ? html`\n  <hr class="govuk-section-break govuk-section-break--m govuk-section-break--visible">` : html``}
</li>`,
  ),
)}
</ol>`;
}
