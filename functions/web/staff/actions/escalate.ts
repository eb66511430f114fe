import { TaskAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { button, errorFor, hidden, textarea } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { instantWords } from '../words.ts';
import { byPath, type FormContext, form, parseWith, type TaskForm, value } from './form.ts';

/**
 * Asking for stage 2 on the resident's behalf (they asked by phone, letter or in person), or confirming, in
 * one click, that an email reply after the stage 1 response is that request (dated from its receipt).
 */

function confirmEmail(fc: FormContext): SafeHtml {
  const offered = fc.state.possibleEscalation;
  if (!offered || !fc.task) return html``;
  const from = offered.from.name ? `${offered.from.name} <${offered.from.address}>` : offered.from.address;
  return html`<section class="govuk-!-margin-bottom-8" aria-labelledby="confirm-stage-2-heading" data-testid="confirm-stage-2-form">
  <h3 class="govuk-heading-m" id="confirm-stage-2-heading">A reply that may be a stage 2 request</h3>
  <p class="govuk-body">${from} replied by email on ${instantWords(offered.receivedAt)}, after the stage 1
  response (see the timeline). The resident does not have to give reasons, so a reply saying they are still
  unhappy may be a request for stage 2. If it is, confirm it: stage 2 is then dated from when the email arrived.</p>
  <form method="post" action="/staff/case/${encodeURIComponent(fc.caseId)}/task" novalidate>
    ${hidden('csrf', fc.csrf)}
    ${hidden('taskId', fc.task.taskId)}
    ${hidden('action', 'escalate')}
    ${hidden('from-email', offered.messageId)}
    ${button('Confirm as stage 2 request')}
  </form>
</section>`;
}

function render(fc: FormContext): SafeHtml {
  return html`${confirmEmail(fc)}${form(
    fc,
    'task',
    'escalate',
    "Ask for stage 2 on the resident's behalf",
    html`<p class="govuk-body">Use this when the resident asks by phone, letter or in person.</p>
    ${textarea({
      name: 'escalate-reason',
      label: 'Why the resident is unhappy (optional)',
      error: errorFor(fc.errors, 'escalate-reason'),
      value: value(fc, 'escalate', 'escalate-reason'),
    })}
    ${button('Ask for stage 2')}`,
  )}`;
}

function parse(body: FormValues) {
  const reason = field(body, 'escalate-reason');
  const fromEmail = field(body, 'from-email');
  return parseWith(
    TaskAction(),
    { action: 'escalate', ...(reason ? { reason } : {}), ...(fromEmail ? { fromEmail } : {}) },
    {
      fields: byPath({
        reason: { field: 'escalate-reason', message: 'Shorten the reason', label: 'The reason' },
        fromEmail: {
          field: 'escalate-reason',
          message: 'Reload the case and confirm the reply it shows',
          label: 'The email',
        },
      }),
      order: ['escalate-reason'],
      formId: 'escalate-form',
    },
  );
}

export const escalateForm: TaskForm = { render, parse };
