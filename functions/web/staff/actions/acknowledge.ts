import { TaskAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { button, errorFor, textarea } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import { type FormValues, lines } from '../form-values.ts';
import { byPath, type FormContext, form, parseWith, type TaskForm, value } from './form.ts';

/** Acknowledging a complaint at stage 1 or 2: the complaint definition and the outcomes sought (Code 5.6). */

function render(fc: FormContext, stage: 1 | 2): SafeHtml {
  const { errors, state } = fc;
  const v = (name: string, fallback = '') => value(fc, 'acknowledge', name, fallback);
  // What the resident said, in their words, is where the handler starts (Code 5.6): at stage 1 the outcome
  // they asked for; at stage 2 their reason for asking, if they gave one. Stage 1's definition and outcomes are
  // not stage 2's: copied in, they would be sent back to the resident as the stage 2 acknowledgement unread.
  const definitionDefault = stage === 2 ? (state.stage2.escalationReason ?? '') : '';
  const outcomesDefault = stage === 2 ? '' : state.complaint.outcomeWanted;
  return form(
    fc,
    'task',
    'acknowledge',
    `Acknowledge the complaint at stage ${stage}`,
    html`${textarea({
      name: 'definition',
      label: 'What the complaint is about (the complaint definition)',
      hint: 'In your own words, as the acknowledgement will set it out to the resident (Code 5.6)',
      error: errorFor(errors, 'definition'),
      value: v('definition', definitionDefault),
    })}
    ${textarea({
      name: 'outcomes',
      label: 'The outcomes the resident is seeking',
      hint: 'One outcome per line',
      error: errorFor(errors, 'outcomes'),
      value: v('outcomes', outcomesDefault),
    })}
    ${button(`Acknowledge at stage ${stage}`)}`,
  );
}

const FIELDS = byPath({
  definition: {
    field: 'definition',
    message: 'Enter what the complaint is about',
    label: 'The complaint definition',
  },
  outcomesSought: {
    field: 'outcomes',
    message: 'Enter at least one outcome the resident is seeking, one per line',
  },
});

function parse(body: FormValues) {
  const raw = {
    action: 'acknowledge',
    definition: field(body, 'definition'),
    outcomesSought: lines(field(body, 'outcomes')),
  };
  return parseWith(TaskAction(), raw, {
    // Each outcome is checked too: any problem with one is shown at the outcomes box.
    fields: (path) =>
      path[0] === 'outcomesSought' && path.length > 1
        ? {
            field: 'outcomes',
            message: 'Enter at most 20 outcomes, each 1,000 characters or fewer',
            label: 'Each outcome',
          }
        : FIELDS(path),
    order: ['definition', 'outcomes'],
    formId: 'acknowledge-form',
  });
}

export const acknowledgeForm: TaskForm = { render, parse };
