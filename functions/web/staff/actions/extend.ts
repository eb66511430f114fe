import type { CaseState } from '#shared/domain/case.ts';
import { extensionAllowance, lateExtension } from '#shared/domain/case.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { MAX_EXTENSION_WORKING_DAYS, TaskAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { errorFor, type FieldError, radios, textarea, textInput } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import {
  byPath,
  type FormContext,
  form,
  parseWith,
  stageOf,
  type TaskForm,
  type TaskFormContext,
  value,
} from './form.ts';
import { previewBlock, previewButtons } from './preview.ts';

/** Extending the time to respond: an allowed reason, working days within the cap, and an explanation. */

/** The extension still possible at a stage: the cap's remainder, or the most one request may ask. */
export function extensionLeft(profile: ProviderProfile, state: CaseState, stage: 1 | 2) {
  const allowance = extensionAllowance(state, stage, profile.stages[stage - 1]);
  return { ...allowance, remaining: allowance.remaining ?? MAX_EXTENSION_WORKING_DAYS };
}

function render(fc: FormContext, stage: 1 | 2): SafeHtml {
  const { profile, errors, state } = fc;
  const v = (name: string) => value(fc, 'extend', name);
  const policy = profile.stages[stage - 1];
  const { used, cap, remaining } = extensionLeft(profile, state, stage);
  const usage =
    cap === null
      ? `${used} working days used (the policy sets no cap).`
      : `${used} of ${cap} working days used.`;
  const response = (stage === 1 ? state.stage1 : state.stage2).response;
  // Once the response is overdue an extension is refused (Code 6.4, 6.15): say what to do instead.
  if (response && fc.now.getTime() > Date.parse(response.dueAt)) {
    // The id is the form's, where a refusal posted from a page drawn before the deadline is shown.
    return html`<section class="govuk-!-margin-bottom-8" id="extend-form" data-testid="extension-too-late">
  <h3 class="govuk-heading-m">Extend the time to respond</h3>
  <p class="govuk-body">${lateExtension(stage, response).message}</p>
</section>`;
  }
  if (cap !== null && remaining === 0) {
    return html`<section class="govuk-!-margin-bottom-8" data-testid="extend-form">
  <h3 class="govuk-heading-m">Extend the time to respond</h3>
  <p class="govuk-body">${usage} No more extensions are possible at stage ${stage}.</p>
</section>`;
  }
  return form(
    fc,
    'task',
    'extend',
    'Extend the time to respond',
    html`<p class="govuk-body" data-testid="extension-usage">${usage}${cap === null ? '' : ` At most ${remaining} more.`}</p>
    ${radios({
      name: 'extend-reason',
      legend: 'Why is more time needed?',
      error: errorFor(errors, 'extend-reason'),
      value: v('extend-reason'),
      items: (policy?.extension.allowedReasons ?? []).map((reason) => ({ value: reason, text: reason })),
    })}
    ${textInput({
      name: 'extend-days',
      label: 'How many more working days?',
      hint: `A whole number from 1 to ${remaining}`,
      error: errorFor(errors, 'extend-days'),
      value: v('extend-days'),
      width: '3',
      spellcheck: false,
    })}
    ${textarea({
      name: 'extend-explanation',
      label: 'Explanation for the resident',
      hint: 'Sent to the resident in the extension notice',
      error: errorFor(errors, 'extend-explanation'),
      value: v('extend-explanation'),
    })}
    ${previewBlock(fc, 'extend')}
    ${previewButtons(fc, 'extend')}`,
  );
}

const FIELDS = byPath({
  reason: { field: 'extend-reason', message: 'Select why more time is needed' },
  explanation: {
    field: 'extend-explanation',
    message: 'Enter an explanation for the resident',
    label: 'The explanation',
  },
});

function parse(body: FormValues, context: TaskFormContext) {
  const { remaining } = extensionLeft(context.profile, context.state, stageOf(context.step));
  const reason = field(body, 'extend-reason');
  const errors: FieldError[] = [];
  // The policy's reasons are the form's choices.
  const allowed = context.profile.stages[stageOf(context.step) - 1]?.extension.allowedReasons ?? [];
  if (!allowed.includes(reason))
    errors.push({ field: 'extend-reason', message: 'Select why more time is needed' });
  const daysText = field(body, 'extend-days');
  const workingDays = /^\d+$/.test(daysText) ? Number(daysText) : Number.NaN;
  const days: FieldError = {
    field: 'extend-days',
    message:
      remaining > 0
        ? `Enter a whole number of working days from 1 to ${remaining}`
        : 'No more extensions are possible at this stage',
  };
  // What is left under the policy's cap, which the form's hint gives.
  if (workingDays > remaining) errors.push(days);
  const raw = { action: 'extend', workingDays, reason, explanation: field(body, 'extend-explanation') };
  return parseWith(TaskAction(), raw, {
    fields: (path) => (path[0] === 'workingDays' ? days : FIELDS(path)),
    formErrors: errors,
    order: ['extend-reason', 'extend-days', 'extend-explanation'],
    formId: 'extend-form',
  });
}

export const extendForm: TaskForm = { render, parse };
