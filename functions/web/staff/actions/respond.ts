import { type CaseState, openActions } from '#shared/domain/case.ts';
import { DECISIONS, defaultEscalationRoute } from '#shared/domain/letters.ts';
import { TaskAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import {
  dateErrorHref,
  dateInput,
  errorFor,
  type FieldError,
  hidden,
  radios,
  select,
  textarea,
  textInput,
} from '../../ui/components.ts';
import { html, join, type SafeHtml } from '../../ui/html.ts';
import { dateFrom, type FormValues } from '../form-values.ts';
import { DECISION_WORDS } from '../words.ts';
import {
  byPath,
  dateValue,
  type FieldMessage,
  type FormContext,
  form,
  parsePounds,
  parseWith,
  stageOf,
  type TaskForm,
  type TaskFormContext,
  value,
} from './form.ts';
import { previewBlock, previewButtons } from './preview.ts';

/** The stage 1 or final response: the letter the Code asks for (5.16, 6.17), previewed before it is sent. */

export const MAX_PLANNED_ACTIONS = 3;

/** Rows in the response form: one per open action, then room for new ones. */
function plannedRowCount(state: CaseState): number {
  return openActions(state).length + MAX_PLANNED_ACTIONS;
}

function render(fc: FormContext, stage: 1 | 2): SafeHtml {
  const { profile, errors, state } = fc;
  const v = (name: string, fallback = '') => value(fc, 'respond', name, fallback);
  const record = stage === 1 ? state.stage1 : state.stage2;
  // Actions still open are carried into this letter (Code 6.6, 6.9): prefilled, each keeping its id.
  const open = openActions(state);
  const plannedRows = Array.from({ length: plannedRowCount(state) }, (_, index) => index + 1).map((n) => {
    const carried: (typeof open)[number] | undefined = open[n - 1];
    const id =
      fc.submitted?.action === 'respond' ? value(fc, 'respond', `oa${n}-id`) : (carried?.actionId ?? '');
    return html`<h4 class="govuk-heading-s">Outstanding action ${n}${id ? ` (${id}, still open: keep it in the letter)` : ''}</h4>
    ${id ? hidden(`oa${n}-id`, id) : html``}
    ${textInput({ name: `oa${n}-description`, label: 'What will be done', error: errorFor(errors, `oa${n}-description`), value: v(`oa${n}-description`, carried?.description) })}
    ${textInput({ name: `oa${n}-owner`, label: 'Who will do it', error: errorFor(errors, `oa${n}-owner`), value: v(`oa${n}-owner`, carried?.owner), width: '20' })}
    ${dateInput({ name: `oa${n}-due`, legend: 'By when', hint: 'For example, 27 3 2026', error: errorFor(errors, `oa${n}-due`), value: dateValue(fc, 'respond', `oa${n}-due`, carried?.dueDate) })}`;
  });
  return form(
    fc,
    'task',
    'respond',
    stage === 1 ? 'Send the stage 1 response' : 'Send the stage 2 (final) response',
    html`${textarea({
      name: 'complaintDefinition',
      label: 'What the complaint is about',
      error: errorFor(errors, 'complaintDefinition'),
      value: v('complaintDefinition', record.definition ?? ''),
    })}
    ${radios({
      name: 'decision',
      legend: 'Decision',
      error: errorFor(errors, 'decision'),
      value: v('decision'),
      items: DECISIONS.map((decision) => ({ value: decision, text: DECISION_WORDS[decision] ?? decision })),
    })}
    ${textarea({
      name: 'reasons',
      label: 'The reasons for the decision',
      error: errorFor(errors, 'reasons'),
      value: v('reasons'),
      rows: 8,
    })}
    ${radios({
      name: 'remedy',
      legend: 'Remedy: putting things right',
      error: errorFor(errors, 'remedy'),
      value: v('remedy'),
      items: [
        {
          value: 'none',
          text: 'No remedy',
          hint: 'If the complaint is upheld or partly upheld, say below why no remedy is due (Code 7.1)',
        },
        { value: 'remedy', text: 'A remedy', hint: 'Describe it below; compensation is optional' },
      ],
    })}
    ${textarea({
      name: 'noRemedyReason',
      label: 'Why no remedy is due',
      hint: 'Needed if you chose no remedy for a complaint that is upheld or partly upheld; sent to the resident',
      error: errorFor(errors, 'noRemedyReason'),
      value: v('noRemedyReason'),
    })}
    ${textarea({
      name: 'remedyDescription',
      label: 'What we will do to put things right',
      hint: 'Needed if you chose a remedy',
      error: errorFor(errors, 'remedyDescription'),
      value: v('remedyDescription'),
    })}
    ${textInput({
      name: 'compensation',
      label: 'Compensation in pounds (optional)',
      hint: `For example, 50 or 75.50. ${profile.compensation.handlerLimitPounds !== undefined ? `Above £${profile.compensation.handlerLimitPounds} needs a manager.` : ''}`,
      error: errorFor(errors, 'compensation'),
      value: v('compensation'),
      width: '5',
    })}
    ${radios({
      name: 'actions',
      legend: 'Outstanding actions',
      error: errorFor(errors, 'actions'),
      value: v('actions', open.length > 0 ? 'some' : ''),
      hint:
        open.length > 0
          ? `${open.length} action(s) promised on this case are still open: they are filled in below and must stay in the letter, or be marked as done first.`
          : undefined,
      items: [
        { value: 'none', text: 'No outstanding actions' },
        {
          value: 'some',
          text: 'There are outstanding actions',
          hint: `Give them below (up to ${MAX_PLANNED_ACTIONS} new ones)`,
        },
      ],
    })}
    ${join(plannedRows)}
    ${textarea({
      name: 'escalationRoute',
      label:
        stage === 1
          ? 'How the resident can escalate to stage 2'
          : 'How the resident can refer it to the Ombudsman',
      error: errorFor(errors, 'escalationRoute'),
      value: v('escalationRoute', defaultEscalationRoute(profile, stage)),
      rows: 6,
    })}
    <h4 class="govuk-heading-s">Learning from this complaint (not sent to the resident)</h4>
    ${select({
      name: 'theme',
      label: 'Theme: what the complaint was about',
      error: errorFor(errors, 'theme'),
      value: v('theme', record.learning?.theme ?? ''),
      items: [
        { value: '', text: 'Choose a theme' },
        ...profile.learning.themes.map((t) => ({ value: t, text: t })),
      ],
    })}
    ${select({
      name: 'rootCause',
      label: 'Root cause: why it happened',
      error: errorFor(errors, 'rootCause'),
      value: v('rootCause', record.learning?.rootCause ?? ''),
      items: [
        { value: '', text: 'Choose a root cause' },
        ...profile.learning.rootCauses.map((c) => ({ value: c, text: c })),
      ],
    })}
    ${previewBlock(fc, 'respond')}
    ${previewButtons(fc, 'respond')}`,
  );
}

const COMPENSATION: FieldMessage = {
  field: 'compensation',
  message: 'Enter compensation in pounds, for example 50 or 75.50',
};

/** The outstanding-action rows with anything typed in them, as the letter's actions, with their row numbers. */
function plannedActions(body: FormValues, state: CaseState, errors: FieldError[]) {
  const planned: Array<Record<string, string>> = [];
  const rows: number[] = [];
  for (let n = 1; n <= plannedRowCount(state); n++) {
    const actionId = field(body, `oa${n}-id`);
    const description = field(body, `oa${n}-description`);
    const owner = field(body, `oa${n}-owner`);
    const due = dateFrom(body, `oa${n}-due`, 'the date it will be done by', { required: false });
    if (!description && !owner && !due.value && !due.error) continue;
    if (due.error) errors.push({ ...due.error, message: `Outstanding action ${n}: ${due.error.message}` });
    planned.push({ ...(actionId ? { actionId } : {}), description, owner, dueDate: due.value ?? '' });
    rows.push(n);
  }
  return { planned, rows };
}

function parse(body: FormValues, context: TaskFormContext) {
  const stage = stageOf(context.step);
  const errors: FieldError[] = [];
  const decision = field(body, 'decision');
  const remedyChoice = field(body, 'remedy');
  let remedy: unknown;
  if (remedyChoice === 'remedy') {
    const pounds = parsePounds(field(body, 'compensation'));
    if (pounds === 'invalid') errors.push(COMPENSATION);
    remedy = {
      description: field(body, 'remedyDescription'),
      ...(typeof pounds === 'number' ? { compensationPounds: pounds } : {}),
    };
  } else if (remedyChoice === 'none') {
    remedy = 'none';
  } else {
    errors.push({ field: 'remedy', message: 'Select whether there is a remedy' });
  }
  const noRemedyReason = remedyChoice === 'none' ? field(body, 'noRemedyReason') : '';
  if (remedyChoice === 'none' && !noRemedyReason && (decision === 'upheld' || decision === 'partly-upheld')) {
    errors.push({
      field: 'noRemedyReason',
      message: `The complaint is ${DECISION_WORDS[decision]?.toLowerCase() ?? decision}: describe the remedy, or say why no remedy is due (Code 7.1)`,
    });
  }
  const actionsChoice = field(body, 'actions');
  const open = openActions(context.state);
  let outstandingActions: unknown;
  let rows: number[] = [];
  if (actionsChoice === 'none') {
    if (open.length > 0) {
      errors.push({
        field: 'actions',
        message: `${open.length} action(s) promised on this case are still open (${open.map((a) => a.actionId).join(', ')}): keep them in the letter, or mark them as done first (Code 6.6)`,
      });
    }
    outstandingActions = 'none';
  } else if (actionsChoice === 'some') {
    const found = plannedActions(body, context.state, errors);
    outstandingActions = found.planned;
    rows = found.rows;
  } else {
    errors.push({ field: 'actions', message: 'Select whether there are outstanding actions' });
  }
  // The console always records learning (Code 9.1); each choice must be one of the profile's lists.
  const theme = field(body, 'theme');
  const rootCause = field(body, 'rootCause');
  if (!context.profile.learning.themes.includes(theme)) {
    errors.push({ field: 'theme', message: 'Choose the theme: what the complaint was about' });
  }
  if (!context.profile.learning.rootCauses.includes(rootCause)) {
    errors.push({ field: 'rootCause', message: 'Choose the root cause: why it happened' });
  }
  const raw = {
    action: 'respond',
    complaintDefinition: field(body, 'complaintDefinition'),
    decision,
    reasons: field(body, 'reasons'),
    remedy,
    ...(noRemedyReason ? { noRemedyReason } : {}),
    outstandingActions,
    escalationRoute: field(body, 'escalationRoute'),
    theme,
    rootCause,
  };
  const fields = byPath({
    theme: { field: 'theme', message: 'Choose the theme: what the complaint was about' },
    rootCause: { field: 'rootCause', message: 'Choose the root cause: why it happened' },
    complaintDefinition: {
      field: 'complaintDefinition',
      message: 'Enter what the complaint is about',
      label: 'What the complaint is about',
    },
    decision: { field: 'decision', message: 'Select the decision' },
    reasons: { field: 'reasons', message: 'Enter the reasons for the decision', label: 'The reasons' },
    remedy: { field: 'remedy', message: 'Select whether there is a remedy' },
    'remedy.description': {
      field: 'remedyDescription',
      message: 'Describe the remedy, or choose no remedy',
      label: 'The remedy',
    },
    'remedy.compensationPounds': COMPENSATION,
    noRemedyReason: {
      field: 'noRemedyReason',
      message: 'Say why no remedy is due',
      label: 'Why no remedy is due',
    },
    outstandingActions: {
      field: 'oa1-description',
      message: 'Give at least one outstanding action, or choose no outstanding actions',
    },
    escalationRoute: {
      field: 'escalationRoute',
      message:
        stage === 1 ? 'Say how the resident can escalate to stage 2' : 'Give the route to the Ombudsman',
      label: 'The route',
    },
  });
  const rowFields = (path: readonly PropertyKey[]): FieldMessage | undefined => {
    const n = rows[Number(path[1])];
    if (n === undefined) return undefined;
    switch (path[2]) {
      case 'description':
        return {
          field: `oa${n}-description`,
          message: `Say what outstanding action ${n} is`,
          label: `Outstanding action ${n}`,
        };
      case 'owner':
        return {
          field: `oa${n}-owner`,
          message: `Say who will do outstanding action ${n}`,
          label: `Who will do outstanding action ${n}`,
        };
      case 'dueDate':
        return {
          field: `oa${n}-due`,
          href: dateErrorHref(`oa${n}-due`),
          message: `Enter when outstanding action ${n} will be done`,
        };
      default:
        return undefined;
    }
  };
  const planned = Array.from({ length: plannedRowCount(context.state) }, (_, index) =>
    ['description', 'owner', 'due'].map((part) => `oa${index + 1}-${part}`),
  ).flat();
  return parseWith(TaskAction(), raw, {
    fields: (path) => (path[0] === 'outstandingActions' && path.length > 2 ? rowFields(path) : fields(path)),
    formErrors: errors,
    order: [
      'complaintDefinition',
      'decision',
      'reasons',
      'remedy',
      'noRemedyReason',
      'remedyDescription',
      'compensation',
      'actions',
      ...planned,
      'escalationRoute',
      'theme',
      'rootCause',
    ],
    formId: 'respond-form',
  });
}

export const respondForm: TaskForm = { render, parse };
