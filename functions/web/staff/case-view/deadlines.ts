import type { Deadline } from '#shared/calendar/deadline.ts';
import type { CaseState } from '#shared/domain/case.ts';
import { formatCivilDate } from '#shared/notifications/words.ts';
import { bulletList, tag } from '../../ui/components.ts';
import { html, join, type SafeHtml, when } from '../../ui/html.ts';
import { instantWords } from '../words.ts';
import type { CaseView } from './view.ts';

/** Every deadline of the case: met, missed or open, and how each was worked out. */

/** How a deadline was worked out: the start day, the working days counted, and every day not counted. */
export function explainDeadline(deadline: Deadline): SafeHtml {
  return html`<p class="govuk-body">Due by the end of ${formatCivilDate(deadline.dueDate)} (${instantWords(deadline.dueAt)}, London time): ${deadline.workingDays} working days counted from ${formatCivilDate(deadline.startDate)}, the day the clock started (it runs from ${instantWords(deadline.from)}).</p>
${
  deadline.skipped.length
    ? html`<p class="govuk-body govuk-!-margin-bottom-1">Days not counted:</p>${bulletList(deadline.skipped.map((day) => html`${formatCivilDate(day.date)}: ${day.reason}`))}`
    : html`<p class="govuk-body">No days were skipped.</p>`
}`;
}

interface DeadlineItem {
  title: string;
  deadline?: Deadline;
  doneAt?: string;
  doneWords: string;
  extensions?: CaseState['stage1']['extensions'];
  window?: boolean;
}

export function deadlinesSection(view: CaseView): SafeHtml {
  const { state, now } = view;
  const triagedOut = state.triage && state.triage.outcome !== 'complaint' ? state.triage.at : undefined;
  const items: DeadlineItem[] = [
    {
      title: 'Stage 1 acknowledgement (triage runs to the same deadline)',
      deadline: state.stage1.acknowledgement,
      doneAt: state.stage1.acknowledgedAt ?? triagedOut,
      doneWords: state.stage1.acknowledgedAt ? 'Acknowledged' : 'Triaged',
    },
    {
      title: 'Stage 1 response',
      deadline: state.stage1.response,
      doneAt: state.stage1.respondedAt,
      doneWords: 'Response sent',
      extensions: state.stage1.extensions,
    },
    {
      title: 'Window to ask for stage 2',
      deadline: state.escalationWindow,
      doneAt: state.stage2.escalationRequestedAt,
      doneWords: 'Stage 2 requested',
      window: true,
    },
    {
      title: 'Stage 2 acknowledgement',
      deadline: state.stage2.acknowledgement,
      doneAt: state.stage2.acknowledgedAt,
      doneWords: 'Acknowledged',
    },
    {
      title: 'Stage 2 (final) response',
      deadline: state.stage2.response,
      doneAt: state.stage2.respondedAt,
      doneWords: 'Response sent',
      extensions: state.stage2.extensions,
    },
  ];
  const shown = items.filter((item) => item.deadline);
  const breachFor = (dueAt: string) => state.breaches.find((breach) => breach.dueAt === dueAt);
  return html`<h2 class="govuk-heading-m" id="deadlines">Deadlines</h2>
${
  shown.length === 0
    ? html`<p class="govuk-body">No deadlines yet.</p>`
    : join(
        shown.map((item) => {
          const deadline = item.deadline as Deadline;
          const late = item.doneAt ? item.doneAt > deadline.dueAt : false;
          const breach = breachFor(deadline.dueAt);
          let status: SafeHtml;
          if (item.doneAt) {
            status = html`${tag(late ? 'Done late' : 'Done in time', late ? 'orange' : 'green')} ${item.doneWords} ${instantWords(item.doneAt)}`;
          } else if (state.status === 'closed') {
            status = html`${tag('Not needed', 'grey')} The case closed before this was due`;
          } else if (item.window) {
            status =
              Date.parse(deadline.dueAt) < now.getTime()
                ? html`${tag('Ended', 'grey')} The window has ended`
                : html`${tag('Open', 'blue')} The resident can still ask`;
          } else if (Date.parse(deadline.dueAt) < now.getTime()) {
            status = html`${tag('Overdue', 'red')} Not done by the deadline`;
          } else {
            status = html`${tag('Open', 'blue')} Not done yet`;
          }
          return html`<div class="govuk-!-margin-bottom-6" data-testid="deadline">
  <h3 class="govuk-heading-s govuk-!-margin-bottom-2">${item.title}</h3>
  <p class="govuk-body">${status}${breach ? html` (deadline breach recorded ${instantWords(breach.at)}${breach.newDueDate ? `; the resident was promised it by ${formatCivilDate(breach.newDueDate)}` : ''})` : html``}</p>
  ${explainDeadline(deadline)}
  ${when(
    item.extensions?.length,
    () =>
      html`<p class="govuk-body govuk-!-margin-bottom-1">Extensions:</p>${bulletList(
        (item.extensions ?? []).map(
          (extension) =>
            html`${extension.workingDays} working day${extension.workingDays === 1 ? '' : 's'} granted ${instantWords(extension.at)} (${extension.reason}); new date ${formatCivilDate(extension.newDueDate)}`,
        ),
      )}`,
  )}
</div>`;
        }),
      )
}`;
}
