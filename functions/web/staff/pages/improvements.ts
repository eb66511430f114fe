import { toLondon } from '#shared/time/london.ts';
import { addImprovement, completeImprovement, requireManager } from '#shared/usecases/annual-report.ts';
import { field, formBody, redirect } from '../../http.ts';
import { csrfToken } from '../../staff-auth.ts';
import { type StaffPageContext, staffPage } from '../../staff-route.ts';
import {
  dateErrorHref,
  dateInput,
  errorSummary,
  type FieldError,
  hidden,
  table,
  textarea,
  textInput,
} from '../../ui/components.ts';
import { html } from '../../ui/html.ts';
import { dateFrom, type FormValues, formKey, newFormKey } from '../form-values.ts';
import { civil, instantWords, multiline } from '../words.ts';
import { refusal } from './common.ts';

/** The improvements register (Code 9.1-9.3): what changed because of complaints, the cases, owner and dates. */

const PATH = '/staff/improvements';

async function render(
  ctx: StaffPageContext,
  options: { errors?: FieldError[]; body?: FormValues; status?: number; done?: boolean } = {},
) {
  const improvements = await ctx.deps.reporting.listImprovements();
  const errors = options.errors ?? [];
  const v = (name: string) => (options.body ? field(options.body, name) : '');
  const err = (name: string) => errors.find((error) => error.field === name)?.message;
  const csrf = csrfToken(ctx);
  const today = toLondon(ctx.now.toISOString()).date;
  return ctx.render(
    'Improvements register',
    html`${errorSummary(errors)}
${options.done ? html`<div class="govuk-panel govuk-panel--confirmation" data-testid="done"><div class="govuk-panel__body">Improvement recorded.</div></div>` : html``}
<h1 class="govuk-heading-l">Improvements register</h1>
<p class="govuk-body">What has changed because of complaints, the cases it came from, who owns it and when it is done. The annual report lists these (Code 8.1(d), 9.1).</p>
${
  improvements.length === 0
    ? html`<p class="govuk-body" data-testid="no-improvements">No improvements recorded yet.</p>`
    : table({
        caption: `${improvements.length} improvement${improvements.length === 1 ? '' : 's'}`,
        head: ['What changed', 'Cases', 'Owner', 'Due', 'Done', 'Recorded'],
        rows: improvements.map((i) => [
          multiline(i.whatChanged),
          i.caseReferences.join(', ') || 'None linked',
          i.owner,
          civil(i.dueDate),
          i.doneDate
            ? civil(i.doneDate)
            : html`<form method="post" action="${PATH}" novalidate>${hidden('csrf', csrf)}${hidden('intent', 'done')}${hidden('improvementId', i.improvementId)}${hidden('doneDate', today)}<button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button">Mark done today<span class="govuk-visually-hidden">: ${i.whatChanged}</span></button></form>`,
          `${instantWords(i.addedAt)} by ${i.addedBy}`,
        ]),
      })
}
<h2 class="govuk-heading-m">Add an improvement</h2>
<form method="post" action="${PATH}" id="improvement-form" novalidate>
  ${hidden('csrf', csrf)}
  ${hidden('intent', 'add')}
  ${hidden('idempotencyKey', v('idempotencyKey') || newFormKey())}
  ${textarea({ name: 'whatChanged', label: 'What changed', error: err('whatChanged'), value: v('whatChanged') })}
  ${textInput({ name: 'caseReferences', label: 'Case references', hint: 'The cases it came from, separated by commas, for example CMP-2026-000123', error: err('caseReferences'), value: v('caseReferences') })}
  ${textInput({ name: 'owner', label: 'Owner', error: err('owner'), value: v('owner'), width: '20' })}
  ${dateInput({ name: 'due', legend: 'Due by', hint: 'For example, 30 6 2026', error: err('due'), value: { day: v('due-day'), month: v('due-month'), year: v('due-year') } })}
  <button type="submit" class="govuk-button" data-module="govuk-button">Add the improvement</button>
</form>`,
    { status: options.status, hasErrors: errors.length > 0 },
  );
}

/** GET /staff/improvements: managers and admins. */
export const improvementsPage = staffPage(async (ctx) => {
  requireManager(ctx.staff);
  return render(ctx, { done: ctx.event.queryStringParameters?.done === 'added' });
});

/** POST /staff/improvements: add one (intent=add) or mark one done (intent=done). */
export const improvementsAction = staffPage(async (ctx) => {
  requireManager(ctx.staff);
  const body = formBody(ctx.event);
  try {
    if (field(body, 'intent') === 'done') {
      await completeImprovement(ctx.deps, ctx.staff, field(body, 'improvementId'), field(body, 'doneDate'));
      return redirect(PATH);
    }
    const key = formKey(body);
    const errors: FieldError[] = [];
    if (!field(body, 'whatChanged')) errors.push({ field: 'whatChanged', message: 'Say what changed' });
    if (!field(body, 'owner')) errors.push({ field: 'owner', message: 'Say who owns the improvement' });
    const due = dateFrom(body, 'due', 'the date it is due by');
    if (due.error) errors.push({ ...due.error, href: dateErrorHref('due') });
    const references = field(body, 'caseReferences')
      .split(/[,\s]+/)
      .map((reference) => reference.trim().toUpperCase())
      .filter(Boolean);
    const malformed = references.filter((reference) => !/^[A-Z]{2,5}-\d{4}-\d{6}$/.test(reference));
    if (malformed.length > 0) {
      errors.push({
        field: 'caseReferences',
        message: `Enter case references such as CMP-2026-000123; not: ${malformed.join(', ')}`,
      });
    }
    if (errors.length > 0) return render(ctx, { errors, body, status: 422 });
    await addImprovement(
      ctx.deps,
      ctx.staff,
      {
        whatChanged: field(body, 'whatChanged'),
        caseReferences: references,
        owner: field(body, 'owner'),
        dueDate: due.value ?? '',
      },
      key,
    );
    return redirect(`${PATH}?done=added`);
  } catch (error) {
    const found = refusal(error);
    if (!found || found.code === 'FORBIDDEN' || found.code === 'NOT_FOUND') throw error;
    // The key went with a different improvement: sent again, this form adds its own.
    if (found.code === 'CONFLICT') body.idempotencyKey = newFormKey();
    return render(ctx, {
      errors: [{ field: 'improvement-form', message: found.message }],
      body,
      status: found.status,
    });
  }
});
