import { CaseAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { button, errorFor, select } from '../../ui/components.ts';
import { html } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { byPath, type CaseForm, type FormContext, form, parseWith, value } from './form.ts';

/** The complaint's category (service area), counted in the reports by receipt (Code 9.7). */

function render(fc: FormContext) {
  const { errors, profile, state } = fc;
  return form(
    fc,
    'record',
    'category',
    'Record the category',
    html`${select({
      name: 'category',
      label: 'The service area the complaint is about',
      hint: state.category ? `Recorded now: ${state.category}. Choose again to correct it.` : undefined,
      error: errorFor(errors, 'category'),
      value: value(fc, 'category', 'category', state.category ?? ''),
      items: [
        { value: '', text: 'Choose a category' },
        ...profile.learning.themes.map((theme) => ({ value: theme, text: theme })),
      ],
    })}
    ${button('Record category', { secondary: true })}`,
  );
}

function parse(body: FormValues) {
  return parseWith(
    CaseAction(),
    { action: 'category', category: field(body, 'category') },
    {
      fields: byPath({
        category: { field: 'category', message: 'Choose a category', label: 'The category' },
      }),
      order: ['category'],
      formId: 'category-form',
    },
  );
}

export const categoryForm: CaseForm = { render, parse };
