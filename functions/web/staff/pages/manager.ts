import { type CaseState, OPEN_STATUSES } from '#shared/domain/case.ts';
import { learningFigures } from '#shared/domain/reporting/annual.ts';
import { financialYear, mergeTallies, periodMonths } from '#shared/domain/reporting/figures.ts';
import { deadlineStatus } from '#shared/domain/work-queue.ts';
import type { TaskRecord } from '#shared/ports/case-repository.ts';
import { toLondon } from '#shared/time/london.ts';
import { monthTallies } from '#shared/usecases/report.ts';
import { staffPage } from '../../staff-route.ts';
import { table } from '../../ui/components.ts';
import { html, when } from '../../ui/html.ts';
import { civil, instantWords, ROLE_WORDS, STATUS_WORDS, STEP_WORDS, staffName } from '../words.ts';
import { caseLink, QUEUE_ROLES } from './common.ts';

/** Breaches and load: missed deadlines on open cases, each handler's load, overdue work per role. */

/** GET /staff/manager: missed deadlines on open cases, each handler's load, and overdue work per role. */
export const managerPage = staffPage(async (ctx) => {
  const { repository } = ctx.deps;
  const cases = (await Promise.all(OPEN_STATUSES.map((status) => repository.listByStatus(status)))).flat();
  const byId = new Map(cases.map((state) => [state.caseId, state]));
  const tasksByRole = await Promise.all(
    QUEUE_ROLES.map(async (role) => ({ role, tasks: await repository.queue(role) })),
  );
  const openTasks = tasksByRole.flatMap(({ tasks }) => tasks.filter((task) => task.status === 'open'));
  const { calendar } = ctx.deps.context.clocks;
  const rag = (task: TaskRecord) =>
    deadlineStatus(task.dueAt, ctx.now, calendar, ctx.profile.reminderLeadWorkingDays).status;

  const breaches = cases
    .flatMap((state) => state.breaches.map((breach) => ({ state, breach })))
    .sort((a, b) => b.breach.at.localeCompare(a.breach.at));
  const breachTable =
    breaches.length === 0
      ? html`<p class="govuk-body" data-testid="no-breaches">No open case has missed a deadline.</p>`
      : table({
          caption: `${breaches.length} missed deadline${breaches.length === 1 ? '' : 's'} on open cases`,
          head: [
            'Reference',
            'Step',
            'Was due',
            'Promised to the resident by',
            'Breach recorded',
            'Status now',
          ],
          rows: breaches.map(({ state, breach }) => [
            caseLink(state.caseId, state.reference),
            STEP_WORDS[breach.step],
            instantWords(breach.dueAt),
            // An action's date is not re-promised by a letter; an older breach may not hold the date it gave.
            breach.newDueDate ? civil(breach.newDueDate) : 'No new date recorded',
            instantWords(breach.at),
            STATUS_WORDS[state.status],
          ]),
        });

  const handlerOf = (state: CaseState | undefined) => {
    const id = state?.stage1.handlers.at(-1);
    return id ? staffName(state, id) : 'unassigned';
  };
  const load = new Map<string, { cases: number; tasks: number; overdue: number }>();
  const entry = (name: string) => {
    const existing = load.get(name) ?? { cases: 0, tasks: 0, overdue: 0 };
    load.set(name, existing);
    return existing;
  };
  for (const state of cases) entry(handlerOf(state)).cases++;
  for (const task of openTasks) {
    const counts = entry(handlerOf(byId.get(task.caseId)));
    counts.tasks++;
    if (rag(task) === 'overdue') counts.overdue++;
  }
  // Themes over time (Code 9.4: the lead reviews themes and trends): this financial year's responses, by month.
  const year = financialYear(toLondon(ctx.now.toISOString()).date);
  const months = periodMonths(year);
  const { themes } = learningFigures(mergeTallies((await monthTallies(ctx.deps, months)).tallies.values()));
  const shownMonths = months.filter((month) => month <= toLondon(ctx.now.toISOString()).date.slice(0, 7));
  const themesTable =
    themes.length === 0
      ? html`<p class="govuk-body" data-testid="no-themes">No theme has been recorded with a response this financial year.</p>`
      : table({
          caption: `Themes of responses issued since ${year.from}, by month`,
          head: ['Theme', ...shownMonths, 'Total'],
          rows: themes.map((theme) => [
            theme.theme,
            ...shownMonths.map((month) => String(theme.byMonth[month] ?? 0)),
            String(theme.total),
          ]),
          numericColumns: shownMonths.map((_, index) => index + 1).concat(shownMonths.length + 1),
        });
  const loadRows = [...load.entries()].sort((a, b) => b[1].tasks - a[1].tasks || a[0].localeCompare(b[0]));

  return ctx.render(
    'Breaches and load',
    html`<h1 class="govuk-heading-l">Breaches and load</h1>
<h2 class="govuk-heading-m">Missed deadlines</h2>
${breachTable}
<h2 class="govuk-heading-m">Each handler's load</h2>
<p class="govuk-body">Tasks are not assigned to people, so each open case counts for the member of staff who last handled it at stage 1 ("unassigned" until someone has).</p>
${
  loadRows.length === 0
    ? html`<p class="govuk-body">There are no open cases.</p>`
    : table({
        head: ['Stage 1 handler', 'Open cases', 'Open tasks', 'Overdue tasks'],
        rows: loadRows.map(([name, counts]) => [
          name,
          String(counts.cases),
          String(counts.tasks),
          String(counts.overdue),
        ]),
      })
}
<h2 class="govuk-heading-m" id="themes">Themes over time</h2>
${themesTable}
${when(
  ctx.staff.role === 'manager' || ctx.staff.role === 'admin',
  () => html`<p class="govuk-body"><a class="govuk-link" href="/staff/themes">Themes and root causes by month or quarter, with the cases behind each</a></p>
<p class="govuk-body"><a class="govuk-link" href="/staff/subject-access">Subject access request: export everything held about a person</a></p>
<p class="govuk-body"><a class="govuk-link" href="/staff/records/retention">What the next retention run will do</a></p>`,
)}
<h2 class="govuk-heading-m">Overdue work by role</h2>
${table({
  head: ['Role', 'Open tasks', 'Overdue', 'Due soon'],
  rows: tasksByRole.map(({ role, tasks }) => {
    const open = tasks.filter((task) => task.status === 'open');
    return [
      ROLE_WORDS[role],
      String(open.length),
      String(open.filter((task) => rag(task) === 'overdue').length),
      String(open.filter((task) => rag(task) === 'due-soon').length),
    ];
  }),
})}`,
  );
});
