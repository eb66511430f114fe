import { formatCivilDate } from '#shared/notifications/words.ts';
import { button, insetText, warningText } from '../../ui/components.ts';
import { html, join, type SafeHtml, when } from '../../ui/html.ts';
import { paragraphs } from '../words.ts';
import { type FormContext, type Preview, stageOf } from './form.ts';

/** Extensions and responses are previewed before they are sent: the letter as the resident will get it. */

function sendText(action: Preview['action'], stage: 1 | 2): string {
  if (action === 'extend') return 'Send extension notice';
  return stage === 1 ? 'Send the stage 1 response' : 'Send the final response';
}

/**
 * The preview, shown first on the page (the form is far down it): what is missing, the letter as it will be
 * sent, and the send button, which submits the form below through its form attribute (no JavaScript).
 */
export function previewSummary(fc: FormContext): SafeHtml {
  const preview = fc.preview;
  if (!preview) return html``;
  const { action } = preview;
  const formId = `${action}-form`;
  const what = action === 'extend' ? 'notice' : 'letter';
  const canSend = preview.problems.length === 0;
  return html`<section class="govuk-!-margin-bottom-8" id="preview" aria-labelledby="preview-heading" data-testid="${action}-preview">
  <h2 class="govuk-heading-l" id="preview-heading">Preview: the ${what} the resident will be sent</h2>
  ${when(preview.newDueDate, () => html`<p class="govuk-body" data-testid="new-due-date">New response date: <strong>${formatCivilDate(preview.newDueDate as string)}</strong></p>`)}
  ${when(
    !canSend,
    () => html`${warningText(`This ${what} cannot be sent yet. What is missing or wrong:`)}
  <ul class="govuk-list govuk-list--bullet" data-testid="letter-problems">${join(preview.problems.map((problem) => html`<li>${problem}</li>`))}</ul>`,
  )}
  ${insetText(html`<p class="govuk-body"><strong>Subject: ${preview.subject}</strong></p>${paragraphs(preview.text)}`, 'letter-preview')}
  <div class="govuk-button-group">
    ${when(canSend, () => html`<button type="submit" form="${formId}" class="govuk-button" data-module="govuk-button" name="intent" value="send">${sendText(action, fc.task ? stageOf(fc.task.step) : 1)}</button>`)}
    <a class="govuk-link" href="#${formId}">${canSend ? `Change the ${what}` : `Change the ${what} and preview it again`}</a>
  </div>
</section>`;
}

/** Inside the form, after a preview: where the preview is (it is shown at the top of the page). */
export function previewBlock(fc: FormContext, action: 'extend' | 'respond'): SafeHtml {
  if (fc.preview?.action !== action) return html``;
  return html`<p class="govuk-body"><a class="govuk-link" href="#preview">Back to the preview at the top of the page</a></p>`;
}

export function previewButtons(fc: FormContext, action: 'extend' | 'respond'): SafeHtml {
  const previewed = fc.preview?.action === action;
  return html`<div class="govuk-button-group">
    ${button(previewed ? 'Preview again with changes' : 'Preview', { name: 'intent', value: 'preview', secondary: previewed })}
  </div>`;
}
