import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it, vi } from 'vitest';
import { queueHandler } from '#functions/api/staff-queries.ts';
import { dependencies } from '#functions/lib/config.ts';
import type { ApiEvent } from '#functions/lib/middleware.ts';
import { casePage, recordOnCase, taskAction } from '#functions/web/case-pages.ts';
import { managerPage } from '#functions/web/report-pages.ts';
import { csrfToken } from '#functions/web/staff-auth.ts';
import {
  downloadAttachment,
  evidencePack,
  logComplaint,
  logComplaintForm,
  queuePage,
  searchPage,
} from '#functions/web/staff-pages.ts';
import { signIn, signInPage, signOut } from '#functions/web/staff-sign-in.ts';
import { handler as registerTask } from '#functions/workflow/register-task.ts';
import type { Step } from '#shared/domain/case.ts';
import { actOnTask, recordCaseAction } from '#shared/usecases/actions.ts';
import { loadCase } from '#shared/usecases/case-log.ts';
import { type IntakeInput, submitComplaint } from '#shared/usecases/intake.ts';
import { sendOwedLetters } from '#shared/usecases/notify.ts';
import { checkDeadline } from '#shared/usecases/workflow.ts';
import { apiEvent, lambdaContext, staffClaims, useLocalAws } from '../handlers/setup.ts';
import { stageResponse } from '../support/fixtures.ts';
import { SAMPLES } from '../support/multipart.ts';

type Page = (event: ApiEvent, context: never) => Promise<APIGatewayProxyStructuredResultV2>;
type Form = Record<string, string | string[]>;

// The same person as the pages' signed-in handler (staffClaims('handler')): staff are their Cognito sub.
const HANDLER = {
  kind: 'staff',
  id: staffClaims('handler').sub,
  role: 'handler',
  email: 'handler@landlord.example',
} as const;
const HOSTILE = '<script>alert(1)</script>';
/** The response form's learning choices (Code 9.1), from the code-baseline lists. */
const LEARNING_FIELDS = { theme: 'Repairs and maintenance', rootCause: 'Timescale or appointment missed' };

const aws = useLocalAws();
let keyCounter = 0;

interface Result {
  status: number;
  body: string;
  location?: string;
  cookies: string[];
  headers: NonNullable<APIGatewayProxyStructuredResultV2['headers']>;
}

function result(response: APIGatewayProxyStructuredResultV2): Result {
  return {
    status: response.statusCode ?? 0,
    body: String(response.body ?? ''),
    location: response.headers?.location as string | undefined,
    cookies: response.cookies ?? [],
    headers: response.headers ?? {},
  };
}

async function get(
  page: Page,
  options: {
    path: string;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    role?: string | null;
    cookies?: string[];
  },
): Promise<Result> {
  const role = options.role === undefined ? 'handler' : options.role;
  return result(
    await page(
      apiEvent({
        rawPath: options.path,
        routeKey: `GET ${options.path}`,
        pathParameters: options.pathParameters,
        queryStringParameters: options.query,
        cookies: options.cookies,
        headers: { accept: 'text/html' },
        ...(role ? { claims: staffClaims(role) } : {}),
      }),
      lambdaContext,
    ),
  );
}

async function post(
  page: Page,
  options: { path: string; pathParameters?: Record<string, string>; form: Form; role?: string | null },
): Promise<Result> {
  const role = options.role === undefined ? 'handler' : options.role;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(options.form)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item);
  }
  return result(
    await page(
      apiEvent({
        rawPath: options.path,
        routeKey: `POST ${options.path}`,
        pathParameters: options.pathParameters,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: params.toString(),
        ...(role ? { claims: staffClaims(role) } : {}),
      }),
      lambdaContext,
    ),
  );
}

async function csrfFor(role = 'handler'): Promise<string> {
  // These requests carry the claims and no session cookie, as the local runtime's header does.
  return csrfToken({ deps: await dependencies(), event: apiEvent({}), staff: { id: staffClaims(role).sub } });
}

async function newCase(
  complainant: Partial<IntakeInput['complainant']> = {},
  complaint: Partial<IntakeInput['complaint']> = {},
) {
  const deps = await dependencies();
  return submitComplaint(
    deps,
    {
      complainant: {
        name: 'Ada Resident',
        email: 'ada@resident.example',
        preferredContact: 'email',
        ...complainant,
      },
      complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it', ...complaint },
    },
    `key-${String(++keyCounter).padStart(8, '0')}`,
    { kind: 'resident', id: 'web-form' },
  );
}

async function openTask(caseId: string, step: Step) {
  await registerTask({ caseId, step, taskToken: `token-${step}-${caseId}` }, lambdaContext);
  const deps = await dependencies();
  const task = (await deps.repository.tasksForCase(caseId)).find((candidate) => candidate.status === 'open');
  if (!task || task.step !== step) throw new Error(`no open ${step} task`);
  return task;
}

/** Drives a case through the use cases to the given step, with an open task for it. */
async function caseAt(step: Step, complainant: Partial<IntakeInput['complainant']> = {}) {
  const deps = await dependencies();
  const { caseId, reference } = await newCase(complainant);
  let task = await openTask(caseId, 'triage');
  if (step === 'triage') return { caseId, reference, task };
  await actOnTask(deps, task.taskId, HANDLER, { action: 'triage', outcome: 'complaint' });
  task = await openTask(caseId, 'stage1-acknowledgement');
  if (step === 'stage1-acknowledgement') return { caseId, reference, task };
  await actOnTask(deps, task.taskId, HANDLER, {
    action: 'acknowledge',
    definition: 'Delay repairing the boiler',
    outcomesSought: ['Fix the boiler'],
  });
  task = await openTask(caseId, 'stage1-response');
  if (step === 'stage1-response') return { caseId, reference, task };
  const { stage: _stage, ...letter } = stageResponse(deps.context.profile, 1);
  await actOnTask(deps, task.taskId, HANDLER, { action: 'respond', ...letter });
  task = await openTask(caseId, 'escalation-window');
  if (step === 'escalation-window') return { caseId, reference, task };
  await actOnTask(deps, task.taskId, HANDLER, { action: 'escalate', reason: 'Still broken' });
  task = await openTask(caseId, 'stage2-acknowledgement');
  return { caseId, reference, task };
}

const casePath = (caseId: string) => ({ path: `/staff/case/${caseId}`, pathParameters: { caseId } });
const taskPath = (caseId: string) => ({ path: `/staff/case/${caseId}/task`, pathParameters: { caseId } });
const recordPath = (caseId: string) => ({ path: `/staff/case/${caseId}/record`, pathParameters: { caseId } });

/** Posts the console's "add an outstanding action" form for the boiler the tests promise, due on a given day. */
function addBoilerAction(caseId: string, csrf: string, due = { day: '20', month: '3', year: '2026' }) {
  return post(recordOnCase, {
    ...recordPath(caseId),
    form: {
      csrf,
      action: 'add-action',
      'add-action-description': 'Fit a new boiler',
      'add-action-owner': 'Repairs',
      'add-action-due-day': due.day,
      'add-action-due-month': due.month,
      'add-action-due-year': due.year,
    },
  });
}
const successCalls = () => aws().sfn.commandCalls(SendTaskSuccessCommand).length;

/** Markup sanity the axe rules depend on: unique ids, labels that point at a control, and a lang. */
function expectSoundMarkup(body: string) {
  const ids = [...body.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]);
  const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
  expect(duplicates).toEqual([]);
  for (const [, target] of body.matchAll(/<label[^>]*\sfor="([^"]+)"/g)) expect(ids).toContain(target);
  for (const [, list] of body.matchAll(/aria-(?:describedby|labelledby)="([^"]+)"/g)) {
    for (const id of String(list).split(' ')) expect(ids).toContain(id);
  }
  expect(body).toMatch(/<html lang="en-GB"/);
}

/**
 * After "Preview" the page opens at the top: the preview (and its send button, which submits the form far
 * below through the form attribute) comes before the case details, and the title says it is a preview.
 */
function expectPreviewFirst(body: string) {
  expect(body).toMatch(/<title>Preview: complaint CMP-/);
  const preview = body.indexOf('id="preview"');
  expect(preview).toBeGreaterThan(0);
  expect(preview).toBeLessThan(body.indexOf('<h1'));
  expect(body.indexOf('data-testid="letter-preview"')).toBeLessThan(body.indexOf('id="status"'));
  const send = /<button type="submit" form="(\w+-form)"[^>]*name="intent" value="send">/.exec(body);
  if (send) {
    expect(send.index).toBeLessThan(body.indexOf('<h1'));
    expect(body).toContain(`<form method="post" action="/staff/case/`);
    expect(body).toMatch(new RegExp(`<form [^>]*id="${send[1]}"`));
    // One send button only, so nobody sends from a stale copy.
    expect(body.match(/value="send"/g)).toHaveLength(1);
  }
}

describe('work queue', () => {
  it('lists the open task with its deadline, in words as well as colour, and filters it', async () => {
    const { caseId, reference } = await caseAt('triage');
    const onTrack = await get(queuePage, { path: '/staff' });
    expect(onTrack.status).toBe(200);
    expect(onTrack.body).toContain(`href="/staff/case/${caseId}"`);
    expect(onTrack.body).toContain(reference);
    expect(onTrack.body).toContain('Triage: decide whether it is a complaint');
    expect(onTrack.body).toMatch(
      /data-rag="on-track"><strong class="govuk-tag govuk-tag--green">On track<\/strong> <span class="govuk-body-s">5 working days left/,
    );
    expect(onTrack.body).toContain('Monday 9 March 2026 at 23:59');
    expectSoundMarkup(onTrack.body);

    vi.setSystemTime(new Date('2026-03-06T10:00:00Z'));
    const dueSoon = await get(queuePage, { path: '/staff' });
    expect(dueSoon.body).toMatch(
      /data-rag="due-soon"><strong class="govuk-tag govuk-tag--yellow">Due soon<\/strong> <span class="govuk-body-s">1 working day left/,
    );

    vi.setSystemTime(new Date('2026-03-10T10:00:00Z'));
    const overdue = await get(queuePage, { path: '/staff', query: { status: 'overdue', stage: 'triage' } });
    expect(overdue.body).toMatch(/data-rag="overdue"><strong class="govuk-tag govuk-tag--red">Overdue/);
    const filteredOut = await get(queuePage, { path: '/staff', query: { status: 'on-track' } });
    expect(filteredOut.body).toContain('data-testid="queue-empty"');
    const otherStage = await get(queuePage, { path: '/staff', query: { stage: '2' } });
    expect(otherStage.body).not.toContain(reference);
  });

  it('shows who each case is assigned to (whoever handled its stage) and filters by it', async () => {
    const assigned = await caseAt('stage1-response');
    const unassigned = await caseAt('triage');
    const all = await get(queuePage, { path: '/staff' });
    expect(all.body).toContain(assigned.reference);
    expect(all.body).toContain(unassigned.reference);
    // Shown by email, filtered by the stable id (the sub) behind it.
    expect(all.body).toContain(`<td class="govuk-table__cell">${HANDLER.email}</td>`);
    expect(all.body).toContain(`<option value="${HANDLER.id}">${HANDLER.email}</option>`);
    for (const assignee of [HANDLER.id, 'me']) {
      const mine = await get(queuePage, { path: '/staff', role: 'handler', query: { assignee } });
      expect(mine.body).toContain(assigned.reference);
      expect(mine.body).not.toContain(unassigned.reference);
    }
    const nobody = await get(queuePage, { path: '/staff', query: { assignee: 'Unassigned' } });
    expect(nobody.body).toContain(unassigned.reference);
    expect(nobody.body).not.toContain(assigned.reference);
  });

  it("shows a handler only their role's queue; managers can see every role", async () => {
    const { reference } = await caseAt('triage');
    const reviewerAsks = await get(queuePage, {
      path: '/staff',
      role: 'reviewer',
      query: { role: 'handler' },
    });
    expect(reviewerAsks.body).not.toContain(reference);
    expect(reviewerAsks.body).toContain('Showing tasks for the reviewer role');
    const manager = await get(queuePage, { path: '/staff', role: 'manager', query: { role: 'all' } });
    expect(manager.body).toContain(reference);
    expect(manager.body).toContain('<option value="all" selected>');
  });
});

describe('outstanding actions in the work queue', () => {
  it('lists each open action with its due date and status for handlers and managers, not reviewers', async () => {
    const { caseId, reference } = await caseAt('stage1-response');
    const deps = await dependencies();
    await recordCaseAction(deps, caseId, HANDLER, {
      action: 'add-action',
      description: 'Survey the damp in the bedroom',
      owner: 'Repairs team',
      dueDate: '2026-03-20',
    });
    const handler = await get(queuePage, { path: '/staff' });
    expect(handler.status).toBe(200);
    expect(handler.body).toMatch(
      new RegExp(
        `${reference}</a></td><td class="govuk-table__cell">A1: Survey the damp in the bedroom</td><td class="govuk-table__cell">Repairs team</td><td class="govuk-table__cell">${HANDLER.email}</td><td class="govuk-table__cell">Friday 20 March 2026</td>`,
      ),
    );
    expect(handler.body).toMatch(/data-testid="action-rag" data-rag="on-track">/);
    expectSoundMarkup(handler.body);
    const manager = await get(queuePage, { path: '/staff', role: 'manager', query: { role: 'all' } });
    expect(manager.body).toContain('A1: Survey the damp in the bedroom');
    const reviewer = await get(queuePage, { path: '/staff', role: 'reviewer' });
    expect(reviewer.body).not.toContain('Survey the damp');

    vi.setSystemTime(new Date('2026-03-23T10:00:00Z'));
    const overdue = await get(queuePage, { path: '/staff', query: { status: 'overdue' } });
    expect(overdue.body).toMatch(
      /A1: Survey the damp in the bedroom<\/td>(?:(?!<\/tr>).)*data-testid="action-rag" data-rag="overdue"><strong class="govuk-tag govuk-tag--red">Overdue/s,
    );
    const api = await queueHandler(
      apiEvent({ rawPath: '/staff/queue', routeKey: 'GET /staff/queue', claims: staffClaims('handler') }),
      lambdaContext,
    );
    const body = JSON.parse(String((api as { body?: string }).body));
    expect(body.actions).toContainEqual(
      expect.objectContaining({
        caseId,
        reference,
        actionId: 'A1',
        description: 'Survey the damp in the bedroom',
        owner: 'Repairs team',
        dueDate: '2026-03-20',
        dueAt: '2026-03-20T23:59:59.999Z',
      }),
    );
  });
});

describe('finding a case', () => {
  it('has a search box on the work queue and in the menu; finds by name, email or reference, escaped', async () => {
    const queue = await get(queuePage, { path: '/staff' });
    expect(queue.body).toMatch(/<form method="get" action="\/staff\/search"[^>]*data-testid="case-search">/);
    expect(queue.body).toContain(
      '<a class="govuk-service-navigation__link" href="/staff/search">Find a case</a>',
    );

    const hostile = await newCase({ name: HOSTILE, email: 'hostile@resident.example' });
    const ada = await newCase();
    const byName = await get(searchPage, { path: '/staff/search', query: { q: HOSTILE } });
    expect(byName.status).toBe(200);
    expect(byName.body).toContain(`href="/staff/case/${hostile.caseId}">${hostile.reference}</a>`);
    expect(byName.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(byName.body).not.toContain(HOSTILE);
    expect(byName.body).not.toContain(ada.reference);
    // The search box keeps what was typed, escaped.
    expect(byName.body).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expectSoundMarkup(byName.body);

    const byEmail = await get(searchPage, { path: '/staff/search', query: { q: 'ADA@resident.example' } });
    expect(byEmail.body).toContain('1 case matching the email address, newest first');
    expect(byEmail.body).toContain(ada.reference);
    // Contact details are not in the results: the case page has them.
    expect(byEmail.body).not.toContain('<td class="govuk-table__cell">ada@resident.example');
    const byReference = await get(searchPage, {
      path: '/staff/search',
      query: { q: ada.reference.toLowerCase() },
    });
    expect(byReference.body).toContain(`href="/staff/case/${ada.caseId}"`);

    const none = await get(searchPage, { path: '/staff/search', query: { q: '<b>Nobody</b>' } });
    expect(none.body).toContain('data-testid="search-empty"');
    expect(none.body).toContain('No case matches the name “&lt;b&gt;Nobody&lt;/b&gt;”');
  });

  it('says what is wrong with a search it cannot make, and needs sign-in', async () => {
    const bad = await get(searchPage, { path: '/staff/search', query: { q: '!!!' } });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('<a href="#q">Enter a reference like CMP-2026-000123');
    expect(bad.body).toMatch(/<title>Error: /);
    expectSoundMarkup(bad.body);
    const blank = await get(searchPage, { path: '/staff/search' });
    expect(blank.status).toBe(200);
    expect(blank.body).toContain('data-testid="case-search"');
    const signedOut = await get(searchPage, { path: '/staff/search', query: { q: 'Ada' }, role: null });
    expect(signedOut.status).toBe(303);
  });
});

describe('breaches and load', () => {
  it('shows a missed deadline, the handler load and overdue counts per role', async () => {
    const { caseId, reference } = await caseAt('stage1-response');
    vi.setSystemTime(new Date('2026-03-20T10:00:00Z'));
    await checkDeadline(await dependencies(), { caseId, step: 'stage1-response' });
    await openTask(caseId, 'stage1-response');
    const page = await get(managerPage, { path: '/staff/manager', role: 'manager' });
    expect(page.status).toBe(200);
    expect(page.body).toContain(reference);
    expect(page.body).toContain('Send the stage 1 response');
    expect(page.body).toContain('Monday 16 March 2026 at 23:59');
    expect(page.body).toMatch(
      /<td class="govuk-table__cell">handler@landlord\.example<\/td><td class="govuk-table__cell">1<\/td><td class="govuk-table__cell">1<\/td><td class="govuk-table__cell">1<\/td>/,
    );
    expectSoundMarkup(page.body);
  });
});

describe('a missed deadline and the date promised after it', () => {
  it('the queue, the case page and the breaches list show the missed date and the new date the resident was given', async () => {
    const { caseId, reference } = await caseAt('stage1-response');
    // A case still at triage: the queue reads no case for its actions, so it reads this one for its promise.
    const untriaged = await caseAt('triage');
    // The virtual clock moves past both deadlines; the workflow's checks record the breaches.
    vi.setSystemTime(new Date('2026-03-20T10:00:00Z'));
    await checkDeadline(await dependencies(), { caseId, step: 'stage1-response' });
    await openTask(caseId, 'stage1-response');
    await checkDeadline(await dependencies(), { caseId: untriaged.caseId, step: 'triage' });
    await openTask(untriaged.caseId, 'triage');
    const promise =
      'Was due Monday 16 March 2026 at 23:59; promised to the resident by Monday 23 March 2026</span>';

    const queue = await get(queuePage, { path: '/staff', query: { status: 'overdue' } });
    expect(queue.body).toContain(reference);
    expect(queue.body).toContain(
      `data-rag="overdue"><strong class="govuk-tag govuk-tag--red">Overdue</strong> <span class="govuk-body-s">${promise}`,
    );
    expectSoundMarkup(queue.body);
    const json = JSON.parse(
      String(
        (
          (await queueHandler(
            apiEvent({
              rawPath: '/staff/queue',
              routeKey: 'GET /staff/queue',
              claims: staffClaims('handler'),
            }),
            lambdaContext,
          )) as { body?: string }
        ).body,
      ),
    );
    expect(json.tasks).toEqual([
      expect.objectContaining({ reference: untriaged.reference, step: 'triage', promisedDate: '2026-03-16' }),
      expect.objectContaining({ reference, step: 'stage1-response', promisedDate: '2026-03-23' }),
    ]);

    const page = await get(casePage, casePath(caseId));
    expect(page.body).toMatch(
      new RegExp(
        `data-testid="deadline-status">Monday 16 March 2026 at 23:59 <strong[^>]*>Overdue</strong> <span class="govuk-body-s">${promise}`,
      ),
    );
    expect(page.body).toContain('; the resident was promised it by Monday 23 March 2026)');
    expectSoundMarkup(page.body);

    const breaches = await get(managerPage, { path: '/staff/manager', role: 'manager' });
    expect(breaches.body).toContain('Promised to the resident by');
    expect(breaches.body).toMatch(
      /Monday 16 March 2026 at 23:59<\/td><td class="govuk-table__cell">Monday 23 March 2026<\/td>/,
    );

    // The promised date passes too: still overdue against the first date, and said to be missed as well.
    vi.setSystemTime(new Date('2026-03-24T10:00:00Z'));
    const later = await get(queuePage, { path: '/staff' });
    expect(later.body).toContain(
      'Was due Monday 16 March 2026 at 23:59; promised to the resident by Monday 23 March 2026, which has passed too',
    );
  });
});

describe('case page', () => {
  it('puts reasonable adjustments, vulnerability and the representative at the top', async () => {
    const { caseId } = await newCase({
      reasonableAdjustments: 'Large print letters, please',
      vulnerability: 'Recently bereaved',
      representative: { name: 'Bea Advocate', relationship: 'Daughter', consentRecorded: true },
    });
    const page = await get(casePage, casePath(caseId));
    expect(page.status).toBe(200);
    const banner = page.body.indexOf('data-testid="resident-needs"');
    expect(banner).toBeGreaterThan(0);
    expect(banner).toBeLessThan(page.body.indexOf('<h1'));
    const top = page.body.slice(banner, page.body.indexOf('<h1'));
    expect(top).toContain('Large print letters, please');
    expect(top).toContain('Recently bereaved');
    expect(top).toContain('Bea Advocate');
    expect(top).toContain('consent is recorded');
    expectSoundMarkup(page.body);
  });

  it('shows the position, every deadline with the days not counted, and the full timeline', async () => {
    const { caseId } = await caseAt('stage1-response');
    // The weekend inside the stage 1 response period is listed as not counted.
    const page = await get(casePage, casePath(caseId));
    expect(page.body).toContain('Send the stage 1 response');
    expect(page.body).toContain('How this deadline was worked out');
    expect(page.body).toContain('Saturday 7 March 2026: Saturday');
    expect(page.body).toContain('data-event-type="received"');
    expect(page.body).toContain('data-event-type="triaged"');
    expect(page.body).toContain('data-event-type="acknowledged"');
    expect(page.body).toContain('handler@landlord.example (handler)');
    expect(page.body).toContain('data-testid="extend-form"');
    expect(page.body).toContain('data-testid="respond-form"');
    expect(page.body).toContain('0 of 10 working days used');
    expectSoundMarkup(page.body);
  });

  it('escapes hostile values everywhere', async () => {
    const { caseId } = await newCase({ name: HOSTILE }, { whatHappened: HOSTILE, outcomeWanted: HOSTILE });
    await openTask(caseId, 'triage');
    for (const page of [await get(casePage, casePath(caseId)), await get(queuePage, { path: '/staff' })]) {
      expect(page.body).not.toContain(HOSTILE);
      expect(page.body).not.toMatch(/<script>alert/);
    }
    const casePageBody = (await get(casePage, casePath(caseId))).body;
    expect(casePageBody).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('sends signed-out requests to sign in, and 404s an unknown case', async () => {
    const { caseId } = await newCase();
    const signedOut = await get(casePage, { ...casePath(caseId), role: null });
    expect(signedOut.status).toBe(303);
    expect(signedOut.location).toBe(`/staff/sign-in?next=${encodeURIComponent(`/staff/case/${caseId}`)}`);
    const unknown = await get(casePage, casePath('no-such-case'));
    expect(unknown.status).toBe(404);
  });
});

describe('attachments', () => {
  const PHOTO_NAME = 'Damp "bedroom" <script>.png';

  /** A case made as the complaint form makes one: the file stored first, then recorded on the case. */
  async function caseWithPhoto() {
    const deps = await dependencies();
    const sha256 = createHash('sha256').update(SAMPLES.png).digest('hex');
    const key = `form-key-staff-0001/0-${sha256.slice(0, 16)}-Damp-bedroom-script.png`;
    await deps.attachments.put(key, SAMPLES.png, 'image/png');
    const intake = await submitComplaint(
      deps,
      {
        complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
        complaint: { whatHappened: 'Damp in the bedroom', outcomeWanted: 'Fix it' },
      },
      'form-key-staff-0001',
      { kind: 'resident', id: 'web-form' },
      [{ name: PHOTO_NAME, contentType: 'image/png', size: SAMPLES.png.length, key, sha256 }],
    );
    return { ...intake, key, sha256 };
  }

  const download = (caseId: string, index: string, role: string | null = 'handler') =>
    downloadAttachment(
      apiEvent({
        rawPath: `/staff/case/${caseId}/attachments/${index}`,
        routeKey: 'GET /staff/case/{caseId}/attachments/{index}',
        pathParameters: { caseId, index },
        headers: { accept: 'text/html' },
        ...(role ? { claims: staffClaims(role) } : {}),
      }),
      lambdaContext,
    );

  it('lists each file with its type, size, short SHA-256 and a download link, escaped', async () => {
    const { caseId, sha256 } = await caseWithPhoto();
    const page = await get(casePage, casePath(caseId));
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h2 class="govuk-heading-m" id="attachments">Photos and documents</h2>');
    expect(page.body).toContain(
      `<a class="govuk-link" href="/staff/case/${caseId}/attachments/0" data-testid="attachment">Download <span dir="auto">Damp &quot;bedroom&quot; &lt;script&gt;.png</span></a>`,
    );
    expect(page.body).toContain('PNG image');
    expect(page.body).toContain(`${SAMPLES.png.length} bytes`);
    expect(page.body).toContain(`<code title="${sha256}">${sha256.slice(0, 12)}</code>`);
    expect(page.body).not.toContain('<script>.png');
    expectSoundMarkup(page.body);
    const none = await get(casePage, casePath((await newCase()).caseId));
    expect(none.body).toContain('The resident did not send any.');
  });

  it('downloads the bytes as an attachment with safe headers, only to signed-in staff', async () => {
    const { caseId } = await caseWithPhoto();
    const response = await download(caseId, '0');
    expect(response.statusCode).toBe(200);
    expect(response.isBase64Encoded).toBe(true);
    expect(Buffer.from(String(response.body), 'base64').equals(SAMPLES.png)).toBe(true);
    expect(response.headers).toMatchObject({
      'content-type': 'image/png',
      'content-disposition': `attachment; filename="Damp-bedroom-script.png"; filename*=UTF-8''Damp%20%22bedroom%22%20%3Cscript%3E.png`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });

    for (const index of ['1', '-1', 'abc', '00x']) {
      const missing = await download(caseId, index);
      expect(missing.statusCode, index).toBe(404);
      expect(String(missing.body)).toContain('There is no such file on this case');
    }
    expect((await download('no-such-case', '0')).statusCode).toBe(404);

    const signedOut = await download(caseId, '0', null);
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.headers?.location).toBe(
      `/staff/sign-in?next=${encodeURIComponent(`/staff/case/${caseId}/attachments/0`)}`,
    );
    expect(signedOut.body).toBe('');
  });

  it('refuses to serve a stored file that is missing or no longer matches its SHA-256', async () => {
    const { caseId, key } = await caseWithPhoto();
    const deps = await dependencies();
    await deps.attachments.put(key, SAMPLES.pdf, 'image/png');
    const tampered = await download(caseId, '0');
    expect(tampered.statusCode).toBe(500);
    expect(tampered.isBase64Encoded).toBeFalsy();
    expect(String(tampered.body)).not.toContain(SAMPLES.pdf.toString('base64'));
    rmSync(join(String(process.env.ATTACHMENTS_DIR), key));
    const gone = await download(caseId, '0');
    expect(gone.statusCode).toBe(404);
  });
});

describe('acting on tasks', () => {
  it('triage: posts, completes the callback and redirects with a success banner', async () => {
    const { caseId, task } = await caseAt('triage');
    const response = await post(taskAction, {
      ...taskPath(caseId),
      form: { csrf: await csrfFor(), taskId: task.taskId, action: 'triage', outcome: 'complaint' },
    });
    expect(response.status).toBe(303);
    expect(response.location).toBe(`/staff/case/${caseId}?done=triage`);
    expect(successCalls()).toBe(1);
  });

  it('after an action, the page shows the next form once the workflow has created its task (no reload)', async () => {
    const { caseId, task } = await caseAt('triage');
    // As the workflow does: the next task is registered a moment after the callback.
    aws()
      .sfn.on(SendTaskSuccessCommand)
      .callsFake(async () => {
        setTimeout(() => {
          void registerTask(
            { caseId, step: 'stage1-acknowledgement', taskToken: `token-ack-${caseId}` },
            lambdaContext,
          );
        }, 300);
        return {};
      });
    const response = await post(taskAction, {
      ...taskPath(caseId),
      form: { csrf: await csrfFor(), taskId: task.taskId, action: 'triage', outcome: 'complaint' },
    });
    expect(response.location).toBe(`/staff/case/${caseId}?done=triage`);
    const after = await get(casePage, { ...casePath(caseId), query: { done: 'triage' } });
    expect(after.body).toContain('Triage decision recorded.');
    expect(after.body).toContain('Stage 1: to be acknowledged');
    expect(after.body).toContain('data-testid="acknowledge-form"');
    expect(after.body).not.toContain('data-testid="no-task"');
  });

  it('triage: a service request needs to say what will be done; not accepted needs a policy reason', async () => {
    const { caseId, task } = await caseAt('triage');
    const base = { csrf: await csrfFor(), taskId: task.taskId, action: 'triage' };
    const service = await post(taskAction, {
      ...taskPath(caseId),
      form: { ...base, outcome: 'service-request' },
    });
    expect(service.status).toBe(422);
    expect(service.body).toContain('href="#triage-notes"');
    const refused = await post(taskAction, {
      ...taskPath(caseId),
      form: { ...base, outcome: 'not-accepted', rationale: 'Court case started' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('Select the reason in the complaints policy that applies');
    expect(refused.body).toContain('Court case started</textarea>');
    expect(successCalls()).toBe(0);
  });

  it('triage: complaint notes and service request notes are separate boxes; "service request" is an outcome, not a refusal reason', async () => {
    const { caseId, task } = await caseAt('triage');
    const page = await get(casePage, casePath(caseId));
    const triage = page.body.slice(page.body.indexOf('data-testid="triage-form"'));
    const complaintNotes = triage.indexOf('If it is a complaint');
    const serviceNotes = triage.indexOf('If it is a service request');
    expect(complaintNotes).toBeGreaterThan(0);
    expect(triage.slice(complaintNotes, serviceNotes)).toContain('name="complaint-notes"');
    expect(triage.slice(complaintNotes, serviceNotes)).not.toMatch(/service request/i);
    expect(triage.slice(serviceNotes)).toMatch(
      /What will be done about the service request[\s\S]*name="triage-notes"/,
    );
    // The policy's service-request wording is the outcome's hint, and not one of the reasons to refuse.
    expect(triage).toContain('A first-time request for a service (a service request)');
    expect(triage).not.toContain('name="exclusionCode" type="radio" value="service-request"');
    expect(triage).toContain('name="exclusionCode" type="radio" value="legal-proceedings"');
    expectSoundMarkup(page.body);

    const base = { csrf: await csrfFor(), taskId: task.taskId, action: 'triage' };
    const refused = await post(taskAction, {
      ...taskPath(caseId),
      form: {
        ...base,
        outcome: 'not-accepted',
        exclusionCode: 'service-request',
        rationale: 'First report of a leak',
        ombudsmanRoute: 'Call the Ombudsman on 0300 111 3000',
      },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toContain(
      '<a href="#exclusionCode">A service request is not a reason to refuse a complaint',
    );
    expect(successCalls()).toBe(0);

    const ok = await post(taskAction, {
      ...taskPath(caseId),
      form: { ...base, outcome: 'complaint', 'complaint-notes': 'Second report of the same leak' },
    });
    expect(ok.status).toBe(303);
    const { state } = await loadCase(await dependencies(), caseId);
    expect(state.triage).toMatchObject({ outcome: 'complaint', detail: 'Second report of the same leak' });
  });

  it('acknowledge: the outcomes box starts with what the resident asked for', async () => {
    const { caseId } = await caseAt('stage1-acknowledgement');
    const page = await get(casePage, casePath(caseId));
    expect(page.body).toMatch(
      /<textarea class="govuk-textarea" id="outcomes" name="outcomes"[^>]*>Fix it<\/textarea>/,
    );
  });

  it('acknowledge: requires the complaint definition and keeps what was typed', async () => {
    const { caseId, task } = await caseAt('stage1-acknowledgement');
    const before = successCalls();
    const response = await post(taskAction, {
      ...taskPath(caseId),
      form: {
        csrf: await csrfFor(),
        taskId: task.taskId,
        action: 'acknowledge',
        definition: '',
        outcomes: 'Fix the boiler\nAn apology',
      },
    });
    expect(response.status).toBe(422);
    expect(response.body).toContain('govuk-error-summary');
    expect(response.body).toContain('<a href="#definition">Enter what the complaint is about</a>');
    expect(response.body).toContain('Fix the boiler\nAn apology</textarea>');
    expect(response.body).toMatch(/<title>Error: /);
    expect(successCalls()).toBe(before);
    expectSoundMarkup(response.body);

    const ok = await post(taskAction, {
      ...taskPath(caseId),
      form: {
        csrf: await csrfFor(),
        taskId: task.taskId,
        action: 'acknowledge',
        definition: 'Boiler delay',
        outcomes: 'Fix the boiler\nAn apology',
      },
    });
    expect(ok.status).toBe(303);
    expect(successCalls()).toBe(before + 1);
  });

  it('extend: previews the notice with the new date and acts only on send', async () => {
    const { caseId, task } = await caseAt('stage1-response');
    const before = successCalls();
    const form = {
      csrf: await csrfFor(),
      taskId: task.taskId,
      action: 'extend',
      'extend-reason': 'Waiting for information from a third party',
      'extend-days': '5',
      'extend-explanation': 'The contractor has not yet reported back.',
    };
    const preview = await post(taskAction, { ...taskPath(caseId), form: { ...form, intent: 'preview' } });
    expect(preview.status).toBe(200);
    expect(preview.body).toContain('data-testid="letter-preview"');
    expect(preview.body).toContain('New response date: <strong>Monday 23 March 2026</strong>');
    expect(preview.body).toContain('You will now have our stage 1 response by Monday 23 March 2026.');
    expect(preview.body).toContain('The contractor has not yet reported back.</textarea>');
    expect(preview.body).toContain('name="intent" value="send">Send extension notice</button>');
    expectPreviewFirst(preview.body);
    expect(successCalls()).toBe(before);
    expectSoundMarkup(preview.body);

    const tooMany = await post(taskAction, {
      ...taskPath(caseId),
      form: { ...form, 'extend-days': '11', intent: 'send' },
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body).toContain('Enter a whole number of working days from 1 to 10');
    expect(successCalls()).toBe(before);

    const sent = await post(taskAction, { ...taskPath(caseId), form: { ...form, intent: 'send' } });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`/staff/case/${caseId}?done=extend`);
    expect(successCalls()).toBe(before + 1);
  });

  it('extend: not offered once the response is overdue, and a late one is refused with what to do instead', async () => {
    const { caseId, task } = await caseAt('stage1-response');
    const form = {
      csrf: await csrfFor(),
      taskId: task.taskId,
      action: 'extend',
      'extend-reason': 'Waiting for information from a third party',
      'extend-days': '5',
      'extend-explanation': 'The contractor has not yet reported back.',
    };
    expect((await get(casePage, casePath(caseId))).body).toContain('id="extend-form" novalidate');
    // Due by the end of Monday 16 March 2026; the next morning an extension is too late (Code 6.4).
    vi.setSystemTime(new Date('2026-03-17T10:00:00Z'));
    const late = 'The stage 1 response was due by Monday 16 March 2026, so it is too late to extend';
    const page = await get(casePage, casePath(caseId));
    expect(page.body).not.toContain('id="extend-form" novalidate');
    expect(page.body).toContain('data-testid="extension-too-late"');
    expect(page.body).toContain(late);
    expect(page.body).toContain('Send the response now instead');
    expect(page.body).toContain('data-testid="respond-form"');
    expectSoundMarkup(page.body);
    // A page drawn before the deadline and sent after it: refused by the use case, shown at the section.
    const before = successCalls();
    for (const intent of ['preview', 'send']) {
      const refused = await post(taskAction, { ...taskPath(caseId), form: { ...form, intent } });
      expect(refused.status).toBe(422);
      expect(refused.body).toContain(late);
      expect(refused.body).toContain('href="#extend-form"');
    }
    expect(successCalls()).toBe(before);
    const { state } = await loadCase(await dependencies(), caseId);
    expect(state.stage1.extensions).toEqual([]);
  });

  it('local mode: the clock form on a preview or a form re-shown with errors goes back to the case page', async () => {
    // Those pages answer a POST to /staff/case/<id>/task, which has no GET: moving the clock there ended on a 404.
    const { caseId, task } = await caseAt('stage1-response');
    const form = {
      csrf: await csrfFor(),
      taskId: task.taskId,
      action: 'extend',
      'extend-reason': 'Waiting for information from a third party',
      'extend-days': '5',
      'extend-explanation': 'The contractor has not yet reported back.',
    };
    const wasLocal = process.env.COMPLAINTS_LOCAL_MODE;
    process.env.COMPLAINTS_LOCAL_MODE = '1';
    try {
      const preview = await post(taskAction, { ...taskPath(caseId), form: { ...form, intent: 'preview' } });
      const refused = await post(taskAction, {
        ...taskPath(caseId),
        form: { ...form, 'extend-days': '11', intent: 'send' },
      });
      expect([preview.status, refused.status]).toEqual([200, 422]);
      for (const shown of [preview, refused]) {
        expect(shown.body).toContain('data-testid="clock-form"');
        expect(shown.body).toContain(`name="back" value="/staff/case/${caseId}"`);
      }
      const page = await get(casePage, { path: `/staff/case/${caseId}`, pathParameters: { caseId } });
      expect(page.body).toContain(`name="back" value="/staff/case/${caseId}"`);
    } finally {
      if (wasLocal === undefined) delete process.env.COMPLAINTS_LOCAL_MODE;
      else process.env.COMPLAINTS_LOCAL_MODE = wasLocal;
    }
  });

  it('respond: previews the letter, lists what is missing, and sends only when asked', async () => {
    const { caseId, task } = await caseAt('stage1-response');
    const before = successCalls();
    const deps = await dependencies();
    const letter = stageResponse(deps.context.profile, 1);
    const form: Form = {
      csrf: await csrfFor(),
      taskId: task.taskId,
      action: 'respond',
      complaintDefinition: 'Delay repairing the boiler',
      decision: 'partly-upheld',
      reasons: 'The repair was late.',
      remedy: 'remedy',
      remedyDescription: 'An apology',
      compensation: '£50',
      actions: 'some',
      'oa1-description': 'Replace the boiler',
      'oa1-owner': 'Repairs team',
      'oa1-due-day': '27',
      'oa1-due-month': '3',
      'oa1-due-year': '2026',
      escalationRoute: letter.escalationRoute,
      ...LEARNING_FIELDS,
      intent: 'preview',
    };
    const preview = await post(taskAction, { ...taskPath(caseId), form });
    expect(preview.status).toBe(200);
    expect(preview.body).toContain('data-testid="letter-preview"');
    expect(preview.body).toContain('Our stage 1 response to your complaint');
    expect(preview.body).toContain('We have partly upheld your complaint.');
    expect(preview.body).toContain('Compensation: £50.');
    expect(preview.body).toContain('Replace the boiler (who: Repairs team; by: Friday 27 March 2026)');
    expect(preview.body).not.toContain('data-testid="letter-problems"');
    expect(preview.body).toContain('Send the stage 1 response</button>');
    expectPreviewFirst(preview.body);
    expect(successCalls()).toBe(before);

    const flawed = await post(taskAction, {
      ...taskPath(caseId),
      form: { ...form, escalationRoute: 'Ask the designated person.' },
    });
    expect(flawed.body).toContain('data-testid="letter-problems"');
    expect(flawed.body).toContain('the escalation route must tell the resident how to ask for stage 2');
    expect(flawed.body).not.toContain('name="intent" value="send"');
    // What is missing is the first thing on the page, with a link to the form to change it.
    expectPreviewFirst(flawed.body);
    expect(flawed.body.indexOf('data-testid="letter-problems"')).toBeLessThan(flawed.body.indexOf('<h1'));
    expect(flawed.body).toContain(
      '<a class="govuk-link" href="#respond-form">Change the letter and preview it again</a>',
    );
    expectSoundMarkup(flawed.body);

    const sent = await post(taskAction, { ...taskPath(caseId), form: { ...form, intent: 'send' } });
    expect(sent.status).toBe(303);
    expect(successCalls()).toBe(before + 1);
    const after = await get(casePage, casePath(caseId));
    expect(after.body).toContain('S1-1');
    expect(after.body).toContain('Stage 1: response sent');
    await openTask(caseId, 'escalation-window');
    expect((await get(casePage, casePath(caseId))).body).toContain('data-testid="escalate-form"');
  });

  it('a domain refusal re-renders the page with the rule and the values kept', async () => {
    const { caseId, task } = await caseAt('stage1-response');
    const letter = stageResponse((await dependencies()).context.profile, 1);
    const response = await post(taskAction, {
      ...taskPath(caseId),
      form: {
        csrf: await csrfFor(),
        taskId: task.taskId,
        action: 'respond',
        complaintDefinition: 'Delay',
        decision: 'not-upheld',
        reasons: 'Late; the designated person agreed.',
        remedy: 'none',
        actions: 'none',
        escalationRoute: letter.escalationRoute,
        ...LEARNING_FIELDS,
        ...LEARNING_FIELDS,
        intent: 'send',
      },
    });
    expect(response.status).toBe(422);
    expect(response.body).toContain('href="#respond-form"');
    expect(response.body).toContain('abolished');
    expect(response.body).toContain('Late; the designated person agreed.</textarea>');
  });

  it('response form: an open action is prefilled, "none" is refused, and the letter carries it by its id', async () => {
    const { caseId, task } = await caseAt('stage1-response');
    const csrf = await csrfFor();
    const added = await addBoilerAction(caseId, csrf);
    expect(added.status).toBe(303);
    const page = await get(casePage, casePath(caseId));
    expect(page.body).toContain('<input type="hidden" name="oa1-id" value="A1">');
    expect(page.body).toMatch(
      /name="oa1-description"[^>]*value="Fit a new boiler"|value="Fit a new boiler"[^>]*name="oa1-description"/,
    );
    expect(page.body).toMatch(/name="oa1-due-day"[^>]*value="20"|value="20"[^>]*name="oa1-due-day"/);
    expect(page.body).toMatch(/value="some" checked|checked[^>]*value="some"/);
    expectSoundMarkup(page.body);
    const { stage: _stage, ...letter } = stageResponse((await dependencies()).context.profile, 1);
    const base = {
      csrf,
      taskId: task.taskId,
      action: 'respond',
      complaintDefinition: letter.complaintDefinition,
      decision: 'upheld',
      reasons: letter.reasons,
      remedy: 'remedy',
      remedyDescription: 'An apology',
      escalationRoute: letter.escalationRoute,
      ...LEARNING_FIELDS,
      intent: 'send',
    };
    const none = await post(taskAction, { ...taskPath(caseId), form: { ...base, actions: 'none' } });
    expect(none.status).toBe(422);
    expect(none.body).toContain('govuk-error-summary');
    expect(none.body).toContain('href="#actions"');
    expect(none.body).toContain('1 action(s) promised on this case are still open (A1)');
    const sent = await post(taskAction, {
      ...taskPath(caseId),
      form: {
        ...base,
        actions: 'some',
        'oa1-id': 'A1',
        'oa1-description': 'Fit a new boiler',
        'oa1-owner': 'Repairs',
        'oa1-due-day': '27',
        'oa1-due-month': '3',
        'oa1-due-year': '2026',
      },
    });
    expect(sent.location).toBe(`/staff/case/${caseId}?done=respond`);
    const { state } = await loadCase(await dependencies(), caseId);
    expect(state.stage1.letter?.outstandingActions).toEqual([
      { actionId: 'A1', description: 'Fit a new boiler', owner: 'Repairs', dueDate: '2026-03-27' },
    ]);
    // The case says what the letter says: one action, with the letter's date.
    expect(state.actions.map(({ actionId, dueDate }) => ({ actionId, dueDate }))).toEqual([
      { actionId: 'A1', dueDate: '2026-03-27' },
    ]);
  });

  it('response form: an upheld complaint with no remedy needs the reason none is due (Code 7.1)', async () => {
    const { caseId, task } = await caseAt('stage1-response');
    const { stage: _stage, ...letter } = stageResponse((await dependencies()).context.profile, 1);
    const form = {
      csrf: await csrfFor(),
      taskId: task.taskId,
      action: 'respond',
      complaintDefinition: letter.complaintDefinition,
      decision: 'partly-upheld',
      reasons: letter.reasons,
      remedy: 'none',
      actions: 'none',
      escalationRoute: letter.escalationRoute,
      ...LEARNING_FIELDS,
      intent: 'send',
    };
    const refused = await post(taskAction, { ...taskPath(caseId), form });
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('href="#noRemedyReason"');
    expect(refused.body).toContain('say why no remedy is due (Code 7.1)');
    const reason = 'The repair was done the same day at no cost to you.';
    const sent = await post(taskAction, { ...taskPath(caseId), form: { ...form, noRemedyReason: reason } });
    expect(sent.location).toBe(`/staff/case/${caseId}?done=respond`);
    const { state } = await loadCase(await dependencies(), caseId);
    expect(state.stage1.letter).toMatchObject({ remedy: 'none', noRemedyReason: reason });
  });

  it('triage: legal proceedings need the court filing (Code 2.2); the time limit is checked against the dates (2.3)', async () => {
    const { caseId, task } = await caseAt('triage');
    const base = {
      csrf: await csrfFor(),
      taskId: task.taskId,
      action: 'triage',
      outcome: 'not-accepted',
      rationale: 'Explained to the resident.',
      ombudsmanRoute: 'Ask the Housing Ombudsman Service: 0300 111 3000.',
    };
    const page = await get(casePage, casePath(caseId));
    expect(page.body).toContain('name="legal-court"');
    expect(page.body).toContain('The complaint gives no date.');
    const noEvidence = await post(taskAction, {
      ...taskPath(caseId),
      form: { ...base, exclusionCode: 'legal-proceedings' },
    });
    expect(noEvidence.status).toBe(422);
    expect(noEvidence.body).toContain('href="#legal-court"');
    const noDate = await post(taskAction, {
      ...taskPath(caseId),
      form: { ...base, exclusionCode: 'over-12-months' },
    });
    expect(noDate.status).toBe(422);
    expect(noDate.body).toContain('href="#out-of-time-reason"');

    const recent = await newCase({}, { happenedOn: '2026-02-24' });
    const recentTask = await openTask(recent.caseId, 'triage');
    const inTime = await post(taskAction, {
      ...taskPath(recent.caseId),
      form: { ...base, taskId: recentTask.taskId, exclusionCode: 'over-12-months' },
    });
    expect(inTime.status).toBe(422);
    expect(inTime.body).toContain('govuk-error-summary');
    expect(inTime.body).toContain('reason does not apply: the issue happened on 2026-02-24');

    const withEvidence = await post(taskAction, {
      ...taskPath(caseId),
      form: {
        ...base,
        exclusionCode: 'legal-proceedings',
        'legal-court': 'County Court at Leeds',
        'legal-claim-number': 'K00LS123',
      },
    });
    expect(withEvidence.location).toBe(`/staff/case/${caseId}?done=triage`);
    const after = await get(casePage, casePath(caseId));
    expect(after.body).toContain('The claim at court: court: County Court at Leeds; claim number: K00LS123.');
  });

  it('stage 2: the stage 1 handler is warned off (Code 6.13); a reviewer gets the forms', async () => {
    const { caseId } = await caseAt('stage2-acknowledgement');
    const handler = await get(casePage, casePath(caseId));
    expect(handler.body).toContain('data-testid="same-handler"');
    expect(handler.body).toContain('Code 6.13');
    expect(handler.body).not.toContain('data-testid="acknowledge-form"');
    const reviewer = await get(casePage, { ...casePath(caseId), role: 'reviewer' });
    expect(reviewer.body).not.toContain('data-testid="same-handler"');
    expect(reviewer.body).toContain('data-testid="acknowledge-form"');
    expectSoundMarkup(reviewer.body);
  });

  it("stage 2 acknowledgement: prefilled from the resident's reason for asking, never stage 1's acknowledgement", async () => {
    const { caseId } = await caseAt('stage2-acknowledgement');
    const page = (await get(casePage, { ...casePath(caseId), role: 'reviewer' })).body;
    const form = /<section[^>]*data-testid="acknowledge-form"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    const box = (name: string) =>
      new RegExp(`<textarea[^>]* name="${name}"[^>]*>([^<]*)</textarea>`).exec(form)?.[1];
    // Stage 1 was acknowledged as "Delay repairing the boiler" seeking "Fix the boiler"; the resident asked for
    // stage 2 saying "Still broken".
    expect(box('definition')).toBe('Still broken');
    expect(box('outcomes')).toBe('');
    expect(form).not.toContain('Delay repairing the boiler');
    expect(form).not.toContain('Fix the boiler');
  });

  /** Without its confirm box ticked the action is refused with a field error; ticked, it acts. */
  async function expectConfirmBoxRequired(caseId: string, form: Form, action: 'withdraw' | 'close') {
    const unconfirmed = await post(taskAction, { ...taskPath(caseId), form });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.body).toContain(`href="#${action}-confirm"`);
    const confirmed = await post(taskAction, {
      ...taskPath(caseId),
      form: { ...form, [`${action}-confirm`]: 'yes' },
    });
    expect(confirmed.location).toBe(`/staff/case/${caseId}?done=${action}`);
  }

  it('withdraw: needs the confirm box', async () => {
    const { caseId, task } = await caseAt('triage');
    const base = {
      csrf: await csrfFor(),
      taskId: task.taskId,
      action: 'withdraw',
      'withdraw-reason': 'Sorted now',
    };
    await expectConfirmBoxRequired(caseId, base, 'withdraw');
  });

  it('close as resolved at stage 1: offered at the stage 2 window, needs the confirm box', async () => {
    const { caseId, task } = await caseAt('escalation-window');
    const page = await get(casePage, { path: `/staff/case/${caseId}`, pathParameters: { caseId } });
    expect(page.body).toContain('Close the complaint as resolved at stage 1');
    // The profile sets no window, so the resident can always ask for stage 2: only their word closes it.
    expect(page.body).toContain('The resident can ask for stage 2 at any time');
    const unsatisfied = await post(taskAction, {
      ...taskPath(caseId),
      form: { csrf: await csrfFor(), taskId: task.taskId, action: 'close', 'close-confirm': 'yes' },
    });
    expect(unsatisfied.status).toBe(422);
    expect(unsatisfied.body).toContain('can ask for stage 2 at any time');
    const base = {
      csrf: await csrfFor(),
      taskId: task.taskId,
      action: 'close',
      'close-satisfied-confirm': 'yes',
      'close-satisfied': 'Phoned on 12 March: happy with the repair.',
    };
    await expectConfirmBoxRequired(caseId, base, 'close');
    const { state } = await loadCase(await dependencies(), caseId);
    expect(state).toMatchObject({ status: 'closed', closureReason: 'resolved-at-stage-1' });
  });

  it('close: what the resident said is recorded when they are satisfied, and the box and the note go together', async () => {
    const { caseId, task } = await caseAt('escalation-window');
    const page = await get(casePage, casePath(caseId));
    expect(page.body).toContain('The resident has told us they are satisfied and do not want stage 2');
    const base = { csrf: await csrfFor(), taskId: task.taskId, action: 'close', 'close-confirm': 'yes' };
    const noNote = await post(taskAction, {
      ...taskPath(caseId),
      form: { ...base, 'close-satisfied-confirm': 'yes' },
    });
    expect(noNote.status).toBe(422);
    expect(noNote.body).toContain('href="#close-satisfied"');
    const said = 'Phoned on 12 March: happy with the repair.';
    const closed = await post(taskAction, {
      ...taskPath(caseId),
      form: { ...base, 'close-satisfied-confirm': 'yes', 'close-satisfied': said },
    });
    expect(closed.location).toBe(`/staff/case/${caseId}?done=close`);
    const { state } = await loadCase(await dependencies(), caseId);
    expect(state).toMatchObject({ status: 'closed', residentSatisfied: said });
    expect((await get(casePage, casePath(caseId))).body).toContain(
      `The resident said they are satisfied: ${said}`,
    );
  });

  it('refuses a POST without or with a wrong csrf token (403 page), changing nothing', async () => {
    const { caseId, task } = await caseAt('triage');
    const form = { taskId: task.taskId, action: 'triage', outcome: 'complaint' };
    const missing = await post(taskAction, { ...taskPath(caseId), form });
    expect(missing.status).toBe(403);
    expect(missing.body).toContain('You cannot do that');
    const wrong = await post(taskAction, {
      ...taskPath(caseId),
      form: { ...form, csrf: await csrfFor('reviewer') },
    });
    expect(wrong.status).toBe(403);
    // Every staff form route is refused by the page stack's CSRF check, before its own code runs.
    const record = { path: `/staff/case/${caseId}/record`, pathParameters: { caseId } };
    const log = { path: '/staff/log-complaint' };
    const logFields = {
      idempotencyKey: 'staff-csrf-refused-1',
      channel: 'phone',
      'received-day': '1',
      'received-month': '3',
      'received-year': '2026',
      'received-time': '09:30',
      name: 'Never Logged',
      phone: '01632 960 001',
      preferredContact: 'phone',
      whatHappened: 'x',
      outcomeWanted: 'y',
    };
    for (const csrf of [undefined, 'nope', await csrfFor('reviewer')]) {
      const token: Form = csrf === undefined ? {} : { csrf };
      const noted = await post(recordOnCase, {
        ...record,
        form: { action: 'note', 'note-text': 'x', ...token },
      });
      expect(noted.status).toBe(403);
      expect(noted.body).toContain('You cannot do that');
      const logged = await post(logComplaint, { ...log, form: { ...logFields, ...token } });
      expect(logged.status).toBe(403);
      expect(logged.body).toContain('You cannot do that');
    }
    expect(successCalls()).toBe(0);
    const { events } = await loadCase(await dependencies(), caseId);
    expect(events.some((event) => event.type === 'note-added')).toBe(false);
    expect(await (await dependencies()).repository.findIntake('staff-csrf-refused-1')).toBeUndefined();
  });
});

describe('recording on a case', () => {
  it('adds a note, an outstanding action, completes it, and records a referral', async () => {
    const { caseId } = await caseAt('stage1-response');
    const path = { path: `/staff/case/${caseId}/record`, pathParameters: { caseId } };
    const csrf = await csrfFor();
    const note = await post(recordOnCase, {
      ...path,
      form: { csrf, action: 'note', 'note-text': 'Called the resident' },
    });
    expect(note.location).toBe(`/staff/case/${caseId}?done=note`);
    const badDate = await addBoilerAction(caseId, csrf, { day: '31', month: '2', year: '2026' });
    expect(badDate.status).toBe(422);
    expect(badDate.body).toContain('must be a real date');
    expect(badDate.body).toContain('value="Fit a new boiler"');
    const added = await addBoilerAction(caseId, csrf);
    expect(added.status).toBe(303);
    const completed = await post(recordOnCase, {
      ...path,
      form: { csrf, action: 'complete-action', 'complete-action-id': 'A1', 'complete-action-note': 'Fitted' },
    });
    expect(completed.status).toBe(303);
    const referral = await post(recordOnCase, {
      ...path,
      form: { csrf, action: 'ombudsman-referral', 'referral-reference': 'HOS-123' },
    });
    expect(referral.status).toBe(303);
    const unknownCategory = await post(recordOnCase, {
      ...path,
      form: { csrf, action: 'category', category: 'Gardening' },
    });
    expect(unknownCategory.status).toBe(422);
    expect(unknownCategory.body).toContain(
      '&quot;Gardening&quot; is not one of the categories: choose one of',
    );
    const category = await post(recordOnCase, {
      ...path,
      form: { csrf, action: 'category', category: 'Damp and mould' },
    });
    expect(category.location).toBe(`/staff/case/${caseId}?done=category`);
    const page = await get(casePage, casePath(caseId));
    expect(page.body).toContain('Category recorded: Damp and mould');
    expect(page.body).toContain('Called the resident');
    expect(page.body).toContain('Fit a new boiler');
    expect(page.body).toContain('Ombudsman reference HOS-123');
    expect(page.body).toMatch(/govuk-tag--green">Done<\/strong>/);
  });
});

describe('legal hold on the case page', () => {
  it('is offered to managers only, needs a reason, shows on the case, escaped, and can be released', async () => {
    const { caseId } = await caseAt('stage1-response');
    const handlerView = await get(casePage, casePath(caseId));
    expect(handlerView.body).not.toContain('legal-hold-form');
    const refused = await post(recordOnCase, {
      ...recordPath(caseId),
      form: { csrf: await csrfFor(), action: 'legal-hold', 'hold-reason': 'Claim' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Only a manager or an admin');

    const csrf = await csrfFor('manager');
    const managerView = await get(casePage, { ...casePath(caseId), role: 'manager' });
    expect(managerView.body).toContain('data-testid="legal-hold-form"');
    expectSoundMarkup(managerView.body);
    const empty = await post(recordOnCase, {
      ...recordPath(caseId),
      role: 'manager',
      form: { csrf, action: 'legal-hold', 'hold-reason': '' },
    });
    expect(empty.status).toBe(422);
    expect(empty.body).toMatch(
      /govuk-error-summary[\s\S]*<a href="#hold-reason">Enter why the case must be kept<\/a>/,
    );
    expect(empty.body).toContain('govuk-form-group--error');
    const held = await post(recordOnCase, {
      ...recordPath(caseId),
      role: 'manager',
      form: { csrf, action: 'legal-hold', 'hold-reason': `Court claim ${HOSTILE}` },
    });
    expect(held.location).toBe(`/staff/case/${caseId}?done=legal-hold`);
    const shown = await get(casePage, { ...casePath(caseId), role: 'manager' });
    expect(shown.body).toContain('data-testid="legal-hold"');
    expect(shown.body).toContain('Court claim &lt;script&gt;');
    expect(shown.body).not.toContain(HOSTILE);
    expect(shown.body).toContain('data-testid="release-legal-hold-form"');
    expect(shown.body).not.toContain('data-testid="legal-hold-form"');
    const unexplained = await post(recordOnCase, {
      ...recordPath(caseId),
      role: 'manager',
      form: { csrf, action: 'release-legal-hold', 'release-reason': ' ' },
    });
    expect(unexplained.status).toBe(422);
    expect(unexplained.body).toMatch(
      /govuk-error-summary[\s\S]*<a href="#release-reason">Enter why the hold is no longer needed<\/a>/,
    );
    const released = await post(recordOnCase, {
      ...recordPath(caseId),
      role: 'manager',
      form: { csrf, action: 'release-legal-hold', 'release-reason': 'Settled' },
    });
    expect(released.status).toBe(303);
    const after = await get(casePage, { ...casePath(caseId), role: 'manager' });
    expect(after.body).not.toContain('data-testid="legal-hold"');
    expect(after.body).toContain('Legal hold released');
  });
});

describe('recording what became of a response: remedies carried out and the Ombudsman outcome', () => {
  it('records a payment only once a remedy was offered, and an outcome only by a manager after a referral', async () => {
    const early = await caseAt('stage1-response');
    const csrf = await csrfFor();
    const tooSoon = await post(recordOnCase, {
      ...recordPath(early.caseId),
      form: { csrf, action: 'remedy-paid', 'paid-description': '£50 paid', 'paid-compensation': '50' },
    });
    expect(tooSoon.status).toBe(422);
    expect(tooSoon.body).toContain('No response on this case offered a remedy');

    const { caseId } = await caseAt('escalation-window');
    const badAmount = await post(recordOnCase, {
      ...recordPath(caseId),
      form: { csrf, action: 'remedy-paid', 'paid-description': '£50 paid', 'paid-compensation': 'fifty' },
    });
    expect(badAmount.status).toBe(422);
    expect(badAmount.body).toContain('Enter the compensation paid in pounds');
    expect(badAmount.body).toContain('value="fifty"');
    const paid = await post(recordOnCase, {
      ...recordPath(caseId),
      form: {
        csrf,
        action: 'remedy-paid',
        'paid-description': '£50 paid by transfer',
        'paid-compensation': '£50',
      },
    });
    expect(paid.location).toBe(`/staff/case/${caseId}?done=remedy-paid`);
    const noAnswer = await post(recordOnCase, {
      ...recordPath(caseId),
      form: { csrf, action: 'satisfaction', 'satisfaction-how': 'Phoned' },
    });
    expect(noAnswer.status).toBe(422);
    expect(noAnswer.body).toContain('Choose their answer');
    const satisfied = await post(recordOnCase, {
      ...recordPath(caseId),
      form: {
        csrf,
        action: 'satisfaction',
        'satisfaction-answer': 'neither',
        'satisfaction-how': 'Phoned today',
      },
    });
    expect(satisfied.location).toBe(`/staff/case/${caseId}?done=satisfaction`);

    const outcome = { action: 'ombudsman-outcome', 'ombudsman-outcome': 'service-failure' };
    const managerCsrf = await csrfFor('manager');
    const beforeReferral = await post(recordOnCase, {
      ...recordPath(caseId),
      role: 'manager',
      form: { csrf: managerCsrf, ...outcome },
    });
    expect(beforeReferral.status).toBe(422);
    expect(beforeReferral.body).toContain('record the referral before its outcome');
    await post(recordOnCase, {
      ...recordPath(caseId),
      form: { csrf, action: 'ombudsman-referral', 'referral-reference': 'HOS-9' },
    });
    // A handler is not offered the form, and is refused if they post it.
    expect((await get(casePage, casePath(caseId))).body).not.toContain('ombudsman-outcome-form');
    const byHandler = await post(recordOnCase, { ...recordPath(caseId), form: { csrf, ...outcome } });
    expect(byHandler.status).toBe(403);
    expect(byHandler.body).toContain('Only a manager or an admin may record');
    const unknown = await post(recordOnCase, {
      ...recordPath(caseId),
      role: 'manager',
      form: { csrf: managerCsrf, action: 'ombudsman-outcome', 'ombudsman-outcome': 'upheld' },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toContain('Choose the Ombudsman&#39;s outcome');
    const recorded = await post(recordOnCase, {
      ...recordPath(caseId),
      role: 'manager',
      form: { csrf: managerCsrf, ...outcome },
    });
    expect(recorded.location).toBe(`/staff/case/${caseId}?done=ombudsman-outcome`);
    const page = await get(casePage, { ...casePath(caseId), role: 'manager' });
    expect(page.body).toContain('Remedy carried out: £50.00 paid');
    expect(page.body).toContain('Ombudsman outcome: Service failure');
    expect(page.body).toContain('Satisfaction with the handling: Neither satisfied nor dissatisfied');
  });
});

describe('logging a complaint', () => {
  it('shows the form with now as the default, validates with values kept, and opens the new case', async () => {
    const form = await get(logComplaintForm, { path: '/staff/log-complaint' });
    expect(form.status).toBe(200);
    expect(form.body).toContain('name="received-day" type="text" inputmode="numeric" value="2"');
    expect(form.body).toContain('value="10:00"');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    expect(key).toMatch(/^staff-/);
    expectSoundMarkup(form.body);

    const fields = {
      csrf: await csrfFor(),
      idempotencyKey: key,
      channel: 'phone',
      'received-day': '3',
      'received-month': '3',
      'received-year': '2026',
      'received-time': '09:30',
      name: 'Bob Caller',
      phone: '01632 960 001',
      preferredContact: 'email',
      whatHappened: 'Mould in the bathroom',
      outcomeWanted: 'Treat the mould',
      reasonableAdjustments: 'Call after 2pm',
    };
    const invalid = await post(logComplaint, { path: '/staff/log-complaint', form: fields });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toContain('The date and time it was received must be now or in the past');
    expect(invalid.body).toContain('Enter an email address, or choose another way to contact them');
    expect(invalid.body).toContain('Mould in the bathroom</textarea>');
    expect(invalid.body).toContain(`value="${key}"`);

    const ok = await post(logComplaint, {
      path: '/staff/log-complaint',
      form: { ...fields, 'received-day': '1', preferredContact: 'phone' },
    });
    expect(ok.status).toBe(303);
    const caseId = /^\/staff\/case\/([^?]+)\?done=logged$/.exec(ok.location ?? '')?.[1] ?? '';
    const page = await get(casePage, { ...casePath(caseId), query: { done: 'logged' } });
    expect(page.body).toContain('Complaint logged');
    expect(page.body).toContain('Sunday 1 March 2026 at 09:30 by phone');
    expect(page.body).toContain('Call after 2pm');
    const again = await post(logComplaint, {
      path: '/staff/log-complaint',
      form: { ...fields, 'received-day': '1', preferredContact: 'phone' },
    });
    expect(again.location).toBe(ok.location);
  });
  it('checks the form with the intake schema, each issue worded for staff at its field', async () => {
    const fields = {
      csrf: await csrfFor(),
      idempotencyKey: 'staff-schema-words-1',
      channel: 'letter',
      'received-day': '1',
      'received-month': '3',
      'received-year': '2026',
      'received-time': '09:30',
      name: 'Long Letter',
      email: 'not-an-address',
      preferredContact: 'post',
      address: 'x'.repeat(501),
      whatHappened: 'Damp',
      outcomeWanted: 'y'.repeat(5001),
    };
    const invalid = await post(logComplaint, { path: '/staff/log-complaint', form: fields });
    expect(invalid.status).toBe(422);
    const summary = [...invalid.body.matchAll(/<a href="#([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(summary).toEqual([
      ['email', 'Enter an email address in the right format, like name@example.com'],
      ['address', 'The postal address must be 500 characters or fewer'],
      ['outcomeWanted', 'The outcome they want must be 5,000 characters or fewer'],
    ]);
    expect(await (await dependencies()).repository.findIntake('staff-schema-words-1')).toBeUndefined();
  });
});

describe('staff sign-in', () => {
  const users = [
    { id: 'hannah', name: 'Hannah Handler', email: 'hannah@staff.localhost', role: 'handler' },
    { id: 'rita', name: 'Rita Reviewer', email: 'rita@staff.localhost', role: 'reviewer' },
  ];

  it('lists the demo users in local mode, signs in with a cookie and goes only to staff paths', async () => {
    process.env.COMPLAINTS_LOCAL_MODE = '1';
    process.env.COMPLAINTS_LOCAL_USERS = JSON.stringify(users);
    const page = await get(signInPage, {
      path: '/staff/sign-in',
      role: null,
      query: { next: '/staff/case/abc' },
    });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Hannah Handler (handler)');
    expect(page.body).toContain('Rita Reviewer (reviewer)');
    expect(page.body).toContain('This is local mode');
    expect(page.body).toContain('name="next" value="/staff/case/abc"');
    expectSoundMarkup(page.body);

    const signedIn = await post(signIn, {
      path: '/staff/sign-in',
      role: null,
      form: { user: 'hannah', next: '/staff/case/abc' },
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/staff/case/abc');
    expect(signedIn.cookies[0]).toBe('local_user=hannah; HttpOnly; SameSite=Lax; Path=/');
    expect(signedIn.cookies[1]).toMatch(/^local_session=[A-Za-z0-9_-]{22}; HttpOnly; SameSite=Lax; Path=\/$/);
    for (const next of ['https://evil.example/staff', '//evil.example', '/staff\\@evil', '/elsewhere']) {
      const redirected = await post(signIn, {
        path: '/staff/sign-in',
        role: null,
        form: { user: 'rita', next },
      });
      expect(redirected.location).toBe('/staff');
    }
    const nobody = await post(signIn, { path: '/staff/sign-in', role: null, form: { user: 'mallory' } });
    expect(nobody.status).toBe(422);
    const out = await get(signOut, { path: '/staff/sign-out', role: null });
    expect(out.location).toBe('/staff/sign-in');
    expect(out.cookies.join(';')).toContain('local_user=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0');
  });
});

describe('the Ombudsman evidence pack', () => {
  const packPath = (caseId: string) => ({
    path: `/staff/case/${caseId}/evidence-pack`,
    pathParameters: { caseId },
  });

  /** A case with a photo, an extension with its reason, the stage 1 response and every letter sent. */
  async function respondedCase() {
    const deps = await dependencies();
    const sha256 = createHash('sha256').update(SAMPLES.png).digest('hex');
    const key = `form-key-pack-${++keyCounter}/0-${sha256.slice(0, 16)}-mould.png`;
    await deps.attachments.put(key, SAMPLES.png, 'image/png');
    const { caseId, reference } = await submitComplaint(
      deps,
      {
        complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
        complaint: { whatHappened: 'Mould in the bedroom', outcomeWanted: 'Treat it' },
      },
      `form-key-pack-${keyCounter}`,
      { kind: 'resident', id: 'web-form' },
      [{ name: '../mould <b>.png', contentType: 'image/png', size: SAMPLES.png.length, key, sha256 }],
    );
    let task = await openTask(caseId, 'triage');
    await actOnTask(deps, task.taskId, HANDLER, { action: 'triage', outcome: 'complaint' });
    task = await openTask(caseId, 'stage1-acknowledgement');
    await actOnTask(deps, task.taskId, HANDLER, {
      action: 'acknowledge',
      definition: 'Mould in the bedroom',
      outcomesSought: ['Treat the mould'],
    });
    task = await openTask(caseId, 'stage1-response');
    await actOnTask(deps, task.taskId, HANDLER, {
      action: 'extend',
      workingDays: 5,
      reason: 'Waiting for information from a third party',
      explanation: 'We are waiting for the damp survey.',
    });
    task = await openTask(caseId, 'stage1-response');
    const { stage: _stage, ...letter } = stageResponse(deps.context.profile, 1);
    await actOnTask(deps, task.taskId, HANDLER, { action: 'respond', ...letter, ...LEARNING_FIELDS });
    await sendOwedLetters(deps, caseId);
    return { caseId, reference };
  }

  it('one action gives a printable document with the deadlines, extensions, remedies and every letter, logged on the case', async () => {
    const { caseId, reference } = await respondedCase();
    const page = await post(evidencePack, {
      ...packPath(caseId),
      form: { csrf: await csrfFor(), format: 'html' },
    });
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<h1 class="govuk-heading-l">${reference}: Ada Resident</h1>`);
    expect(page.body).toContain('<link rel="stylesheet" href="/govuk/print.css" media="print">');
    // Every deadline with how it was worked out, and the extension with its reason.
    expect(page.body).toContain('Stage 1 response');
    expect(page.body).toMatch(/working days counted from/);
    expect(page.body).toContain('5 working days granted');
    expect(page.body).toContain('Waiting for information from a third party');
    expect(page.body).toContain('An apology and £50 for the delay');
    expect(page.body).toContain('£50.00');
    // Every letter recorded as sent, in full, without the resident's private link.
    const { events } = await loadCase(await dependencies(), caseId);
    const sent = events.filter((event) => event.type === 'correspondence-sent');
    expect(sent.map((event) => event.type === 'correspondence-sent' && event.template)).toEqual([
      'complaint-received',
      'stage1-acknowledgement',
      'extension-notice',
      'stage1-response',
    ]);
    expect(page.body.match(/data-testid="pack-letter"/g)?.length).toBe(sent.length);
    expect(page.body).toContain('Our stage 1 response to your complaint');
    expect(page.body).toContain('not reproduced in the evidence pack');
    expect(page.body).not.toMatch(/\/cases\/[^"\s]+\?t=/);
    expect(page.body).toContain('&lt;b&gt;.png');
    expect(page.body).not.toContain('<b>.png');
    // Preparing it is on the case's timeline.
    expect(events.at(-1)).toMatchObject({
      type: 'evidence-pack-prepared',
      format: 'html',
      by: { id: HANDLER.id },
    });
    expect(page.body).toContain('data-event-type="evidence-pack-prepared"');
    expectSoundMarkup(page.body);
  });

  it('shows payments, the Ombudsman outcome and satisfaction in sections of their own, with typed text escaped', async () => {
    const { caseId } = await respondedCase();
    const deps = await dependencies();
    const manager = { kind: 'staff', id: 'manager-pack', role: 'manager' } as const;
    await recordCaseAction(deps, caseId, HANDLER, {
      action: 'remedy-paid',
      description: `Paid by BACS ${HOSTILE}`,
      compensationPounds: 50,
    });
    await recordCaseAction(deps, caseId, HANDLER, {
      action: 'ombudsman-referral',
      reference: 'HOS-7',
      notes: '',
    });
    await recordCaseAction(deps, caseId, manager, {
      action: 'ombudsman-outcome',
      outcome: 'service-failure',
      reference: `HOS-7 ${HOSTILE}`,
      notes: `Order: apologise ${HOSTILE}`,
    });
    await recordCaseAction(deps, caseId, HANDLER, {
      action: 'satisfaction',
      answer: 'fairly-dissatisfied',
      how: `Phoned ${HOSTILE}`,
    });
    const page = await post(evidencePack, {
      ...packPath(caseId),
      form: { csrf: await csrfFor(), format: 'html' },
    });
    expect(page.status).toBe(200);
    const section = (id: string) =>
      page.body.match(new RegExp(`<section data-testid="pack-${id}">([\\s\\S]*?)</section>`))?.[1] ?? '';
    const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;';
    const payments = section('payments');
    expect(payments).toContain(`Paid by BACS ${escaped}`);
    expect(payments).toContain('£50.00');
    expect(payments).toContain('handler@landlord.example (handler)');
    const outcome = section('ombudsman-outcomes');
    expect(outcome).toContain('Service failure');
    expect(outcome).toContain(`HOS-7 ${escaped}`);
    expect(outcome).toContain(`Order: apologise ${escaped}`);
    const satisfaction = section('satisfaction');
    expect(satisfaction).toContain('Fairly dissatisfied');
    expect(satisfaction).toContain(`Phoned ${escaped}`);
    expect(page.body).toContain('<a class="govuk-link" href="#payments">');
    expect(page.body).not.toContain(HOSTILE);
    expectSoundMarkup(page.body);
  });

  it('the ZIP holds each letter, each file as received with its SHA-256, the timeline and a manifest', async () => {
    const { caseId } = await respondedCase();
    const response = await post(evidencePack, {
      ...packPath(caseId),
      form: { csrf: await csrfFor(), format: 'zip' },
    });
    expect(response.status).toBe(200);
    // A download like every file staff take away: saved, never shown, sandboxed if opened.
    expect(response.headers).toMatchObject({
      'content-type': 'application/zip',
      'content-security-policy': "default-src 'none'; sandbox",
      'x-content-type-options': 'nosniff',
    });
    const zip = unzipSync(new Uint8Array(Buffer.from(response.body, 'base64')));
    expect(Object.keys(zip).sort()).toEqual([
      'MANIFEST.txt',
      'files/01-_mould _b_.png',
      'letters/01-complaint-received.txt',
      'letters/02-stage1-acknowledgement.txt',
      'letters/03-extension-notice.txt',
      'letters/04-stage1-response.txt',
      'timeline.txt',
    ]);
    expect(Buffer.from(zip['files/01-_mould _b_.png'] as Uint8Array).equals(SAMPLES.png)).toBe(true);
    const manifest = strFromU8(zip['MANIFEST.txt'] as Uint8Array);
    expect(manifest).toContain(
      `files/01-_mould _b_.png  ${createHash('sha256').update(SAMPLES.png).digest('hex')}`,
    );
    expect(manifest).not.toContain('DOES NOT MATCH');
    expect(strFromU8(zip['letters/03-extension-notice.txt'] as Uint8Array)).toContain(
      'We are waiting for the damp survey.',
    );
    expect(strFromU8(zip['timeline.txt'] as Uint8Array)).toContain('evidence-pack-prepared');
    const { events } = await loadCase(await dependencies(), caseId);
    expect(events.at(-1)).toMatchObject({ type: 'evidence-pack-prepared', format: 'zip' });
  });

  it('refuses a missing format or CSRF token, and records nothing', async () => {
    const { caseId } = await caseAt('triage');
    const before = (await loadCase(await dependencies(), caseId)).events.length;
    const noFormat = await post(evidencePack, {
      ...packPath(caseId),
      form: { csrf: await csrfFor(), format: 'pdf' },
    });
    expect(noFormat.status).toBe(422);
    expect(noFormat.body).toContain('Choose the evidence pack as a printable document (html) or a ZIP (zip)');
    const forged = await post(evidencePack, {
      ...packPath(caseId),
      form: { csrf: 'forged', format: 'html' },
    });
    expect(forged.status).toBe(403);
    expect((await loadCase(await dependencies(), caseId)).events.length).toBe(before);
    const casePageBody = (await get(casePage, casePath(caseId))).body;
    expect(casePageBody).toContain(`action="/staff/case/${caseId}/evidence-pack"`);
  });
});
