import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import type * as z from 'zod/mini';
import { CONTACT_METHODS, type Step } from '#shared/domain/case.ts';
import { DECISIONS } from '#shared/domain/letters.ts';
import { DEFAULT_LEARNING } from '#shared/policy/profile.ts';
import {
  ACTIONS_FOR_STEP,
  CaseAction as caseActionSchema,
  TaskAction as taskActionSchema,
} from '#shared/usecases/actions.ts';
import { IntakeInput as intakeInputSchema } from '#shared/usecases/intake.ts';
import { stageResponse } from '../support/fixtures.ts';
import {
  alteredToken,
  choice,
  civilDate,
  dateFields,
  encode,
  type FieldSpec,
  FORM,
  fieldOf,
  formOf,
  fromZod,
  hostileJsonText,
  hostileSegment,
  hostileString,
  jsonBodyOf,
  type Pairs,
  PERCENT_GARBAGE,
  type RealCase,
  runs,
  textField,
  urlencoded,
  useSweep,
  wrongType,
} from './sweep-support.ts';

/**
 * The staff request schemas, swept signed in and with a valid CSRF token, so the body parsing and
 * validation behind the session and CSRF checks is what gets exercised: the task actions (TaskAction, as
 * JSON and as the console's task form, letter previews included), the case records (CaseAction, JSON and
 * form), logging a complaint (IntakeInput, JSON and form), the `q` search query and the queue's role.
 * Never a 5xx, every 4xx says what is wrong, and what the schema (or the CSRF check) refuses never succeeds.
 */

const IntakeInput = intakeInputSchema();
const TaskAction = taskActionSchema();
const CaseAction = caseActionSchema();
type TaskAction = z.infer<typeof TaskAction>;
const { sweep, pool, send, property } = useSweep('staff schemas', { size: 3, maxReplacements: 16 });
const csrf = new Map<string, string>();
const USERS = ['hannah', 'harry', 'rita', 'mo', 'ade'] as const;

beforeAll(async () => {
  for (const user of USERS) csrf.set(user, await sweep().csrfFor(user));
});

const slot = pool.slot;

/**
 * Requests per staff action schema: TaskAction and CaseAction get 1,500 each, as the schemas that change a
 * case the most. Mostly as JSON: a form request renders the whole case page (about 50 ms of CPU here, against
 * 5 to 15 ms for JSON), and the forms' fields are each fed from the same schema field as the JSON body's.
 */
const TASK_ACTION_JSON_RUNS = 1300;
const TASK_ACTION_FORM_RUNS = 200;
const CASE_ACTION_JSON_RUNS = 1350;
const CASE_ACTION_FORM_RUNS = 150;

/** Who is asking: a demo user (a verified ID token), or claims no staff route may accept. */
type Caller = { user: (typeof USERS)[number] } | { claims: Record<string, unknown> };
const caller: fc.Arbitrary<Caller> = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom(...USERS).map((user) => ({ user })) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constant({ claims: { sub: 'local-hannah', token_use: 'access', 'cognito:groups': ['handler'] } }),
      fc.constant({ claims: { sub: 'local-x', token_use: 'id' } }),
      fc.constant({ claims: { sub: '', token_use: 'id', 'cognito:groups': ['manager'] } }),
      hostileString(40).map((group) => ({
        claims: { sub: 'local-y', token_use: 'id', 'cognito:groups': group },
      })),
    ),
  },
);
const asUser = (who: Caller) => ('user' in who ? { user: who.user } : { claims: who.claims });
const isStaff = (who: Caller) => 'user' in who;

const dates = { dueDate: civilDate, filedOn: civilDate };
/** Mostly one thing wrong: a valid action lands (and moves the case on), so one run in ten sends one. */
function bodyOf(derived: ReturnType<typeof fromZod>) {
  return fc.oneof(
    { weight: 1, arbitrary: derived.valid.map((value) => JSON.stringify(value)) },
    { weight: 8, arbitrary: derived.nearValid.map((value) => JSON.stringify(value) ?? '') },
    { weight: 1, arbitrary: hostileJsonText },
  );
}
const passes = (schema: { safeParse(value: unknown): { success: boolean } }, text: string) => {
  try {
    return schema.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------------------
// The staff JSON API

/**
 * One staff JSON action route, swept: the id in the path is mostly the pool case's own (its current task,
 * or the case), sometimes hostile; the body mostly has one thing wrong; the caller is mostly signed-in staff.
 */
function sweepStaffJson(options: {
  schema: typeof TaskAction | typeof CaseAction;
  name: string;
  seed: number;
  numRuns: number;
  /** The path for the pool case's own id (undefined: there is none to act on), or for a hostile segment. */
  target: (
    real: RealCase | undefined,
    segment?: string,
  ) => Promise<{ path: string; open: boolean; step?: Step }>;
  /** A valid body for the action the open task's step takes, when the run sends one (TaskAction). */
  fitting?: fc.Arbitrary<((step: Step) => string | undefined) | undefined>;
}) {
  const idKind = fc.oneof(
    { weight: 8, arbitrary: fc.constant<'own'>('own') },
    { weight: 2, arbitrary: hostileSegment },
  );
  return property(
    options.name,
    options.seed,
    options.numRuns,
    fc.record({
      slot,
      idKind,
      body: bodyOf(fromZod(options.schema, dates)),
      fitting: options.fitting ?? fc.constant(undefined),
      who: caller,
    }),
    async (input) => {
      const real = pool.at(input.slot);
      const { path, open, step } =
        input.idKind === 'own' ? await options.target(real) : await options.target(undefined, input.idKind);
      const body = (open && step && input.fitting?.(step)) || input.body;
      const result = await send(
        {
          method: 'POST',
          target: path,
          headers: { 'content-type': 'application/json' },
          body,
          ...asUser(input.who),
        },
        { refused: !open || !isStaff(input.who) || !passes(options.schema, body) },
      );
      if ((result.statusCode ?? 500) < 300) await pool.replaceIfClosed(input.slot);
    },
  );
}

/**
 * Valid bodies of the actions that move a case on without closing it (a triage accepting the complaint,
 * never turning it away), one per action: a run that sends one picks the action the open task's step takes,
 * so valid actions get past "not possible on this step" to the event, the next step's task and its letters.
 * Closing actions (withdraw, close, a triage turning it away) still come, less often, among the valid bodies
 * of any action (bodyOf), and a case they close is replaced.
 */
const MOVING_ON: readonly TaskAction['action'][] = ['triage', 'acknowledge', 'extend', 'respond', 'escalate'];
const taskActionValid = fromZod(TaskAction, dates).valid as fc.Arbitrary<TaskAction>;
/**
 * The body that fits the step, from the generated one: a response is the fixture's letter (which passes the
 * Code's checks on a letter) with the generated free text in it, and an extension asks for a reason the
 * provider allows, so both reach the event and the letter rather than stopping at those checks.
 */
function fitted(body: TaskAction, step: Step): TaskAction {
  const profile = sweep().system.deps.context.profile;
  const stage = step.startsWith('stage2') ? 2 : 1;
  if (body.action === 'respond') {
    const { stage: _stage, ...letter } = stageResponse(profile, stage, {
      complaintDefinition: body.complaintDefinition,
      reasons: body.reasons,
    });
    return { action: 'respond', ...letter };
  }
  if (body.action === 'extend') {
    const reasons = profile.stages[stage - 1]?.extension.allowedReasons ?? [];
    return { ...body, workingDays: 5, reason: reasons[body.reason.length % reasons.length] ?? body.reason };
  }
  return body;
}

const fittingTaskAction = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.record(
          Object.fromEntries(
            MOVING_ON.map((action) => [
              action,
              taskActionValid.filter(
                (body) =>
                  body.action === action && (body.action !== 'triage' || body.outcome === 'complaint'),
              ),
            ]),
          ) as Record<TaskAction['action'], fc.Arbitrary<TaskAction>>,
        ),
        fc.nat(),
      )
      .map(([bodies, pick]) => (step: Step) => {
        const actions = ACTIONS_FOR_STEP[step].filter((candidate) => MOVING_ON.includes(candidate));
        const action = actions[pick % Math.max(actions.length, 1)];
        return action ? JSON.stringify(fitted(bodies[action], step)) : undefined;
      }),
  },
);

describe('POST /staff/tasks/{taskId}/actions (TaskAction)', () => {
  it('never a 5xx; an action the schema refuses is refused', async () => {
    await sweepStaffJson({
      schema: TaskAction,
      name: 'TaskAction (POST /staff/tasks/{taskId}/actions)',
      seed: 20_261_401,
      numRuns: runs(TASK_ACTION_JSON_RUNS),
      target: async (real, segment) => {
        const task = real ? await pool.currentTask(real) : undefined;
        return {
          path: `/staff/tasks/${task?.taskId ?? segment}/actions`,
          open: Boolean(task?.open),
          step: task?.step,
        };
      },
      fitting: fittingTaskAction,
    });
  }, 600_000);
});

describe('POST /staff/cases/{caseId}/events (CaseAction)', () => {
  it('never a 5xx; a record the schema refuses is refused', async () => {
    await sweepStaffJson({
      schema: CaseAction,
      name: 'CaseAction (POST /staff/cases/{caseId}/events)',
      seed: 20_261_402,
      numRuns: runs(CASE_ACTION_JSON_RUNS),
      target: async (real, segment) => ({
        path: `/staff/cases/${real?.caseId ?? segment}/events`,
        open: real !== undefined,
      }),
    });
  }, 600_000);
});

const receivedAt = {
  valid: fc
    .date({
      min: new Date('2025-06-01T00:00:00Z'),
      max: new Date('2026-03-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((date) => date.toISOString()),
  nearValid: fc.oneof(
    fc.constantFrom('2027-01-01T00:00:00Z', '2026-02-30T10:00:00Z', 'yesterday', '', '2026-03-01'),
    wrongType,
    hostileString(40),
  ),
};

describe('POST /staff/complaints (IntakeInput, logged by staff)', () => {
  it('never a 5xx; a complaint the schema refuses is refused', async () => {
    const intake = fromZod(IntakeInput, { happenedOn: civilDate, becameAwareOn: civilDate, receivedAt });
    const key = fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom('sweep-staff-key-1', 'sweep-staff-key-2') },
      { weight: 1, arbitrary: fc.oneof(hostileString(120), fc.constant('short')) },
    );
    await property(
      'IntakeInput (POST /staff/complaints)',
      20_261_403,
      runs(300),
      fc.record({ body: jsonBodyOf(intake), key, who: caller }),
      async (input) => {
        await send(
          {
            method: 'POST',
            target: '/staff/complaints',
            headers: { 'content-type': 'application/json', 'idempotency-key': input.key },
            body: input.body,
            ...asUser(input.who),
          },
          {
            refused:
              !isStaff(input.who) ||
              !/^[A-Za-z0-9_-]{8,100}$/.test(input.key) ||
              !passes(IntakeInput, input.body),
          },
        );
      },
    );
  }, 600_000);
});

// ---------------------------------------------------------------------------------------------------------
// The search query and the queue's role

describe('GET /staff/cases?q= and GET /staff/search?q= (the search query)', () => {
  it('never a 5xx; every refusal says what is wrong', async () => {
    const name = fc.constantFrom('Ada Resident0', 'Resident1', 'ada', 'Siân O’Neill', 'A B C D E F G');
    const q = fc.oneof(
      { weight: 2, arbitrary: slot.map((index) => `REF:${index}`) },
      { weight: 2, arbitrary: name },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'resident1@resident.example',
          'RESIDENT2@Resident.Example ',
          '01632 960 001',
          '+44 1632 960001',
        ),
      },
      {
        weight: 3,
        arbitrary: fc.oneof(
          fc.constantFrom(
            'CMP-2026-',
            'CMP-2026-9999999',
            'CMP-0000-000001',
            'cmp2026000001x',
            '@',
            'a@b',
            '+',
            '   ',
            '',
          ),
          fc
            .array(fc.constantFrom('ada', 'x', '<b>', 'Resident'), { minLength: 6, maxLength: 40 })
            .map((words) => words.join(' ')),
        ),
      },
      { weight: 3, arbitrary: hostileString(200, { huge: false }) },
      { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((length) => 'q'.repeat(length)) },
    );
    const shape = fc.constantFrom('encoded', 'encoded', 'encoded', 'raw-garbage', 'repeated', 'missing');
    await property(
      'q (GET /staff/cases, GET /staff/search)',
      20_261_404,
      runs(800),
      fc.record({ q, shape, garbage: fc.constantFrom(...PERCENT_GARBAGE), html: fc.boolean(), who: caller }),
      async (input) => {
        const text = input.q.startsWith('REF:') ? pool.at(Number(input.q.slice(4))).reference : input.q;
        const query =
          input.shape === 'missing'
            ? ''
            : input.shape === 'raw-garbage'
              ? `?q=${encode(text)}${input.garbage}`
              : input.shape === 'repeated'
                ? `?q=${encode(text)}&q=${input.garbage}`
                : `?q=${encode(text)}`;
        await send({
          method: 'GET',
          target: `${input.html ? '/staff/search' : '/staff/cases'}${query}`,
          headers: { accept: input.html ? 'text/html' : 'application/json' },
          ...asUser(input.who),
        });
      },
    );
  }, 600_000);

  it('GET /staff/queue?role= and GET /staff?role=&stage=&status=', async () => {
    const value = fc.oneof(
      fc.constantFrom(
        'handler',
        'reviewer',
        'manager',
        'admin',
        'resident',
        'all',
        '1',
        '2',
        'triage',
        'red',
        'amber',
        'green',
        'overdue',
      ),
      hostileString(60),
    );
    await property(
      'role, stage, status (GET /staff/queue, GET /staff)',
      20_261_405,
      runs(150),
      fc.record({ role: value, stage: value, status: value, html: fc.boolean(), who: caller }),
      async (input) => {
        const params = `role=${encode(input.role)}&stage=${encode(input.stage)}&status=${encode(input.status)}`;
        await send({
          method: 'GET',
          target: input.html ? `/staff?${params}` : `/staff/queue?${params}`,
          ...asUser(input.who),
        });
      },
    );
  }, 600_000);
});

// ---------------------------------------------------------------------------------------------------------
// The console's forms, with a valid CSRF token

type CsrfKind = 'valid' | 'another-user' | 'altered' | 'missing' | 'hostile';
const csrfKind = fc.oneof(
  { weight: 12, arbitrary: fc.constant<CsrfKind>('valid') },
  { weight: 1, arbitrary: fc.constantFrom<CsrfKind>('another-user', 'altered', 'missing', 'hostile') },
);

function csrfField(kind: CsrfKind, user: string, seed: number, hostile: string): Pairs {
  const own = csrf.get(user) ?? '';
  switch (kind) {
    case 'valid':
      return [['csrf', own]];
    case 'another-user':
      return [['csrf', csrf.get(user === 'hannah' ? 'mo' : 'hannah') ?? '']];
    case 'altered':
      return [['csrf', fc.sample(alteredToken(own), { seed, numRuns: 1 })[0] ?? '']];
    case 'missing':
      return [];
    case 'hostile':
      return [['csrf', hostile]];
  }
}

const text = (path: string, required = true) => textField(fieldOf(TaskAction, path, dates), required);
const action = (name: string): FieldSpec => ({
  valid: fc.constant(name),
  nearValid: fc.oneof(fc.constantFrom('', `${name}x`, 'note', 'respond'), hostileString(30)),
  required: true,
});
const yes = (required = true) => choice(['yes'], required);

/** The task form, one per action, each field fed from the TaskAction field it fills. */
const TASK_FORMS: Record<string, fc.Arbitrary<Pairs>> = {
  triage: formOf({
    action: action('triage'),
    outcome: choice(['complaint', 'service-request', 'not-accepted']),
    'complaint-notes': text('notes', false),
    'triage-notes': text('notes', false),
    exclusionCode: {
      ...textField(fieldOf(TaskAction, 'exclusionCode'), false),
      valid: fc.constantFrom('over-12-months', 'legal-proceedings', 'service-request', 'nope'),
    },
    rationale: text('rationale', false),
    ombudsmanRoute: text('ombudsmanRoute', false),
    'legal-court': text('legalProceedings.court', false),
    'legal-claim-number': text('legalProceedings.claimNumber', false),
    ...dateFields('legal-filed'),
    'out-of-time-reason': text('outOfTimeReason', false),
  }),
  acknowledge: formOf({
    action: action('acknowledge'),
    definition: text('definition'),
    outcomes: {
      valid: fc
        .array(fc.constantFrom('Repair it', 'An apology', '£50 <b>now</b>'), { minLength: 1, maxLength: 4 })
        .map((list) => list.join('\r\n')),
      nearValid: fc.oneof(fc.constantFrom('', '\n\n', 'x\n'.repeat(30)), hostileString(80)),
      required: true,
    },
  }),
  extend: formOf({
    action: action('extend'),
    'extend-reason': {
      ...text('reason'),
      valid: fc.constantFrom(
        'Complex complaint needing specialist input',
        'Waiting for information from a third party',
        'Other',
      ),
    },
    'extend-days': text('workingDays'),
    'extend-explanation': text('explanation'),
    intent: choice(['send', 'preview'], false),
  }),
  respond: formOf({
    action: action('respond'),
    complaintDefinition: text('complaintDefinition'),
    decision: choice(DECISIONS),
    reasons: text('reasons'),
    remedy: choice(['none', 'remedy']),
    remedyDescription: text('remedy.description', false),
    compensation: {
      ...text('remedy.compensationPounds', false),
      nearValid: fc.constantFrom('£', '1,000,000,000', '-5', '1e9', '50.555', 'NaN'),
    },
    noRemedyReason: text('noRemedyReason', false),
    actions: choice(['none', 'some']),
    'oa1-id': { valid: fc.constantFrom('A1', ''), nearValid: hostileString(60), required: false },
    'oa1-description': text('description', false),
    'oa1-owner': text('owner', false),
    ...dateFields('oa1-due'),
    escalationRoute: text('escalationRoute'),
    theme: choice(DEFAULT_LEARNING.themes),
    rootCause: choice(DEFAULT_LEARNING.rootCauses),
    intent: choice(['send', 'preview'], false),
  }),
  escalate: formOf({ action: action('escalate'), 'escalate-reason': text('reason', false) }),
  withdraw: formOf({
    action: action('withdraw'),
    'withdraw-confirm': yes(),
    'withdraw-reason': text('reason', false),
  }),
  close: formOf({
    action: action('close'),
    'close-confirm': yes(),
    'close-satisfied-confirm': yes(false),
    'close-satisfied': text('residentSatisfied', false),
  }),
};

const caseText = (path: string, required = true) => textField(fieldOf(CaseAction, path, dates), required);
const RECORD_FORMS: Record<string, fc.Arbitrary<Pairs>> = {
  note: formOf({ action: action('note'), 'note-text': caseText('text') }),
  'add-action': formOf({
    action: action('add-action'),
    'add-action-description': caseText('description'),
    'add-action-owner': caseText('owner'),
    ...dateFields('add-action-due', true),
  }),
  'complete-action': formOf({
    action: action('complete-action'),
    'complete-action-id': { ...caseText('actionId'), valid: fc.constantFrom('A1', 'A2', 'A99') },
    'complete-action-note': caseText('note'),
  }),
  category: formOf({ action: action('category'), category: caseText('category') }),
  'remedy-paid': formOf({
    action: action('remedy-paid'),
    'paid-description': caseText('description'),
    'paid-compensation': {
      ...caseText('compensationPounds', false),
      valid: fc.constantFrom('50', '£75.50', ''),
    },
  }),
  satisfaction: formOf({
    action: action('satisfaction'),
    'satisfaction-answer': { ...caseText('answer'), valid: fc.constantFrom('very-satisfied', 'neither') },
    'satisfaction-how': caseText('how'),
  }),
  'ombudsman-outcome': formOf({
    action: action('ombudsman-outcome'),
    'ombudsman-outcome': {
      ...caseText('outcome'),
      valid: fc.constantFrom('maladministration', 'no-maladministration'),
    },
    'outcome-reference': caseText('reference', false),
    'outcome-notes': caseText('notes', false),
  }),
  'ombudsman-referral': formOf({
    action: action('ombudsman-referral'),
    'referral-reference': caseText('reference', false),
    'referral-notes': caseText('notes', false),
  }),
};

/** A form by name; withdrawing (which closes the case) is picked rarely. */
function pickForm(forms: Record<string, fc.Arbitrary<Pairs>>) {
  return fc.oneof(
    ...Object.entries(forms).map(([name, form]) => ({
      weight: name === 'withdraw' ? 1 : 6,
      arbitrary: form,
    })),
  );
}

const formRequest = (pairs: fc.Arbitrary<Pairs>) =>
  fc.record({
    slot,
    pairs,
    user: fc.constantFrom(...USERS),
    csrf: csrfKind,
    seed: fc.nat(),
    hostile: hostileString(60),
    garbage: fc.option(fc.constantFrom(...PERCENT_GARBAGE), { freq: 10 }),
    caseKind: fc.oneof(
      { weight: 9, arbitrary: fc.constant('own') },
      { weight: 1, arbitrary: hostileSegment },
    ),
  });

describe('the staff console forms, signed in with a valid CSRF token', () => {
  it('POST /staff/case/{caseId}/task (TaskAction as a form; extensions and responses previewed)', async () => {
    // The JSON sweeps before this one moved the pool's cases on (or closed them): new ones, at triage.
    await pool.refresh(true);
    const taskId = fc.oneof(
      { weight: 9, arbitrary: fc.constant('current') },
      { weight: 1, arbitrary: fc.oneof(hostileString(60), fc.constant('a'.repeat(3000))) },
    );
    await property(
      'TaskAction (POST /staff/case/{caseId}/task form)',
      20_261_406,
      runs(TASK_ACTION_FORM_RUNS),
      fc.tuple(formRequest(pickForm(TASK_FORMS)), taskId),
      async ([input, taskKind]) => {
        const real = pool.at(input.slot);
        const task = taskKind === 'current' ? (await pool.currentTask(real)).taskId : taskKind;
        const pairs: Pairs = [
          ...csrfField(input.csrf, input.user, input.seed, input.hostile),
          ['taskId', task],
          ...input.pairs,
        ];
        const result = await send(
          {
            method: 'POST',
            target: `/staff/case/${input.caseKind === 'own' ? real.caseId : input.caseKind}/task`,
            headers: { 'content-type': FORM },
            body: urlencoded(pairs, input.garbage ?? undefined),
            user: input.user,
          },
          { refused: input.csrf !== 'valid' },
        );
        if (result.statusCode === 303) await pool.replaceIfClosed(input.slot);
        // Another sweep (or this one) finished the task the cache still holds as open: read it again next time.
        else if (result.statusCode === 409) pool.forgetTask(real);
      },
    );
  }, 600_000);

  it('POST /staff/case/{caseId}/record (CaseAction as a form)', async () => {
    await property(
      'CaseAction (POST /staff/case/{caseId}/record form)',
      20_261_407,
      runs(CASE_ACTION_FORM_RUNS),
      formRequest(pickForm(RECORD_FORMS)),
      async (input) => {
        const real = pool.at(input.slot);
        const pairs: Pairs = [
          ...csrfField(input.csrf, input.user, input.seed, input.hostile),
          ...input.pairs,
        ];
        await send(
          {
            method: 'POST',
            target: `/staff/case/${input.caseKind === 'own' ? real.caseId : input.caseKind}/record`,
            headers: { 'content-type': FORM },
            body: urlencoded(pairs, input.garbage ?? undefined),
            user: input.user,
          },
          { refused: input.csrf !== 'valid' },
        );
      },
    );
  }, 600_000);

  it('POST /staff/log-complaint (IntakeInput as the staff form)', async () => {
    const field = (path: string, required = false) => textField(fieldOf(IntakeInput, path), required);
    const logForm = formOf({
      channel: choice(['phone', 'letter', 'in-person', 'social-media', 'email']),
      ...dateFields('received', true),
      'received-time': {
        valid: fc.constantFrom('09:30', '14:05', '0:00'),
        nearValid: fc.constantFrom('24:00', '9', '12:60', 'noon'),
        required: true,
      },
      name: field('complainant.name', true),
      email: field('complainant.email'),
      phone: field('complainant.phone'),
      address: field('complainant.address'),
      preferredContact: choice(CONTACT_METHODS),
      whatHappened: field('complaint.whatHappened', true),
      outcomeWanted: field('complaint.outcomeWanted', true),
      reasonableAdjustments: field('complainant.reasonableAdjustments'),
      vulnerability: field('complainant.vulnerability'),
      // Keys already used: a form that passes meets a conflict (409) rather than making a case each time.
      idempotencyKey: {
        valid: fc.constantFrom('sweep-log-key-1', 'sweep-log-key-2'),
        nearValid: fc.constantFrom('__proto__', 'constructor', ' sweep-log-key-1 '),
        required: true,
      },
    });
    await property(
      'IntakeInput (POST /staff/log-complaint form)',
      20_261_408,
      runs(250),
      formRequest(logForm),
      async (input) => {
        const pairs: Pairs = [
          ...csrfField(input.csrf, input.user, input.seed, input.hostile),
          ...input.pairs,
        ];
        await send(
          {
            method: 'POST',
            target: '/staff/log-complaint',
            headers: { 'content-type': FORM },
            body: urlencoded(pairs, input.garbage ?? undefined),
            user: input.user,
          },
          { refused: input.csrf !== 'valid' },
        );
      },
    );
  }, 600_000);
});
