import type { DeletableRecordKind } from '#shared/domain/case.ts';
import { type RetentionItem, retentionDryRun } from '#shared/usecases/retention.ts';
import { staffPage } from '../../staff-route.ts';
import { table, tag } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import { instantWords } from '../words.ts';
import { caseLink } from './common.ts';

/**
 * What the next daily retention run will do, as a page for managers (the same dry run as `GET
 * /staff/retention` and `npx complaints retention --dry-run`): nothing is changed by reading it.
 */

const KIND_WORDS: Record<DeletableRecordKind, string> = {
  attachments: 'attachments',
  letters: 'letters for post',
  rawEmail: 'raw emails',
};

function stepWords(step: RetentionItem['step']): SafeHtml {
  switch (step.action) {
    case 'anonymise':
      return html`${tag('Anonymise', 'red')} Personal data removed from every event; its ${step.kinds.map((kind) => KIND_WORDS[kind]).join(', ')} and search entries deleted`;
    case 'delete':
      return html`${tag('Delete records', 'orange')} Its ${step.kinds.map((kind) => KIND_WORDS[kind]).join(', ')} deleted (the case is kept for longer)`;
    case 'held':
      return html`${tag('Held', 'blue')} Left alone under a legal hold: ${step.reason}`;
  }
}

/** GET /staff/records/retention: the dry run of the next retention run. Managers and admins. */
export const retentionPage = staffPage(async (ctx) => {
  const report = await retentionDryRun(ctx.deps, ctx.staff.role);
  const { retention } = ctx.profile;
  const items =
    report.items.length === 0
      ? html`<p class="govuk-body" data-testid="retention-nothing">The next run has nothing to do: no closed case has reached a retention period.</p>`
      : table({
          caption: `${report.items.length} case${report.items.length === 1 ? '' : 's'} the next run reaches`,
          head: ['Reference', 'Closed', 'What the run will do'],
          rows: report.items.map((item) => [
            caseLink(item.caseId, item.reference),
            instantWords(item.closedAt),
            stepWords(item.step),
          ]),
        });
  return ctx.render(
    'What the next retention run will do',
    html`<span class="govuk-caption-l">Records</span>
<h1 class="govuk-heading-l">What the next retention run will do</h1>
<p class="govuk-body">The retention job runs every day. It anonymises closed cases past the retention period (${retention.case} years after closure) and deletes records kept for less: attachments after ${retention.attachments} years, letters for post after ${retention.letters}, raw emails after ${retention.rawEmail}. A case under a legal hold is left alone. This page changes nothing: it shows what the run would do ${instantWords(report.at)}.</p>
<div data-testid="retention-items">${items}</div>`,
  );
});
