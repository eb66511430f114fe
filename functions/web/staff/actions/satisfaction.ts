import { SATISFACTION_ANSWERS } from '#shared/domain/case.ts';
import { CaseAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { button, errorFor, select, textarea } from '../../ui/components.ts';
import { html, when } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { SATISFACTION_WORDS } from '../words.ts';
import { byPath, type CaseForm, type FormContext, form, parseWith, value } from './form.ts';

/** What the resident said of how their complaint was handled, once a response is issued. */

function render(fc: FormContext) {
  const { errors, state } = fc;
  return when(state.stage1.respondedAt !== undefined, () =>
    form(
      fc,
      'record',
      'satisfaction',
      "Record the resident's satisfaction with the handling",
      html`${select({
        name: 'satisfaction-answer',
        label: 'How satisfied they are with how their complaint was handled',
        error: errorFor(errors, 'satisfaction-answer'),
        value: value(fc, 'satisfaction', 'satisfaction-answer'),
        items: [
          { value: '', text: 'Choose their answer' },
          ...SATISFACTION_ANSWERS.map((answer) => ({ value: answer, text: SATISFACTION_WORDS[answer] })),
        ],
      })}
    ${textarea({ name: 'satisfaction-how', label: 'How and when they said it', hint: 'For example: phoned on 4 March after the final response', error: errorFor(errors, 'satisfaction-how'), value: value(fc, 'satisfaction', 'satisfaction-how') })}
    ${button('Record satisfaction', { secondary: true })}`,
    ),
  );
}

function parse(body: FormValues) {
  const raw = {
    action: 'satisfaction',
    answer: field(body, 'satisfaction-answer'),
    how: field(body, 'satisfaction-how'),
  };
  return parseWith(CaseAction(), raw, {
    fields: byPath({
      answer: { field: 'satisfaction-answer', message: 'Choose their answer', label: 'Their answer' },
      how: { field: 'satisfaction-how', message: 'Say how and when they said it', label: 'How and when' },
    }),
    order: ['satisfaction-answer', 'satisfaction-how'],
    formId: 'satisfaction-form',
  });
}

export const satisfactionForm: CaseForm = { render, parse };
