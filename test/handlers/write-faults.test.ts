import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { handler as intake } from '#functions/email/intake.ts';
import { dependencies, useDependencies } from '#functions/lib/config.ts';
import { s3ObjectCreated } from '#functions/lib/s3-events.ts';
import { recordOnCase, taskAction } from '#functions/web/case-pages.ts';
import { csrfToken } from '#functions/web/staff-auth.ts';
import { logComplaint } from '#functions/web/staff-pages.ts';
import { handler as checkDeadline } from '#functions/workflow/check-deadline.ts';
import { handler as closeCase } from '#functions/workflow/close-case.ts';
import { handler as recordReceipt } from '#functions/workflow/record-receipt.ts';
import { handler as registerTask } from '#functions/workflow/register-task.ts';
import { handler as sendDigest } from '#functions/workflow/send-digest.ts';
import { handler as sendNotifications } from '#functions/workflow/send-notifications.ts';
import type { CaseEvent, CaseState, Step } from '#shared/domain/case.ts';
import { loadProfile } from '#shared/policy/load-profile.ts';
import { actOnTask } from '#shared/usecases/actions.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { stageResponse } from '../support/fixtures.ts';
import { apiEvent, lambdaContext, staffClaims, storeEmailFixture, useLocalAws } from './setup.ts';

/**
 * DynamoDB throttling and server errors on the write paths test/handlers/faults.test.ts leaves out: the staff
 * console's forms and every workflow task's writes, on the real adapter against dynalite. A form answers 503
 * saying to try again (never a 422 blaming the input, never a bare 500); a workflow task fails with the AWS
 * error's name, so the state machine's retrier runs it again; and the retry records everything once.
 */
const aws = useLocalAws();

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds the allowed throughput',
    $metadata: {},
  });
const serverError = () => new InternalServerError({ message: 'Internal server error', $metadata: {} });

const HANDLER = { kind: 'staff', id: staffClaims('handler').sub, role: 'handler' } as const;
const REVIEWER = { kind: 'staff', id: staffClaims('reviewer').sub, role: 'reviewer' } as const;
let keys = 0;

async function newCase() {
  return submitComplaint(
    await dependencies(),
    {
      complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
      complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' },
    },
    `write-fault-${String(++keys).padStart(4, '0')}`,
    { kind: 'resident', id: 'web-form' },
  );
}

async function openTask(caseId: string, step: Step) {
  await registerTask({ caseId, step, taskToken: `token-${step}-${caseId}` }, lambdaContext);
  const tasks = await (await dependencies()).repository.tasksForCase(caseId);
  const task = tasks.find((candidate) => candidate.status === 'open');
  if (task?.step !== step) throw new Error(`no open ${step} task`);
  return task;
}

async function events(caseId: string): Promise<CaseEvent[]> {
  return (await dependencies()).repository.loadEvents(caseId);
}

/** Drives a case through stage 1 to the resident's request for stage 2 (no stage 2 task registered yet). */
async function escalatedCase() {
  const deps = await dependencies();
  const { caseId } = await newCase();
  const triage = await openTask(caseId, 'triage');
  await actOnTask(deps, triage.taskId, HANDLER, { action: 'triage', outcome: 'complaint' });
  const ack = await openTask(caseId, 'stage1-acknowledgement');
  await actOnTask(deps, ack.taskId, HANDLER, {
    action: 'acknowledge',
    definition: 'Delay repairing the boiler',
    outcomesSought: ['Fix the boiler'],
  });
  const respond = await openTask(caseId, 'stage1-response');
  const { stage: _stage, ...letter } = stageResponse(deps.context.profile, 1);
  await actOnTask(deps, respond.taskId, HANDLER, { action: 'respond', ...letter });
  const window = await openTask(caseId, 'escalation-window');
  await actOnTask(deps, window.taskId, HANDLER, { action: 'escalate', reason: 'Still broken' });
  return { caseId };
}

const typesOf = async (caseId: string) => (await events(caseId)).map((event) => event.type);

type Page = (event: never, context: never) => Promise<APIGatewayProxyStructuredResultV2>;

async function postForm(page: Page, path: string, caseId: string | undefined, form: Record<string, string>) {
  const csrf = csrfToken({
    deps: await dependencies(),
    event: apiEvent({}),
    staff: { id: staffClaims('handler').sub },
  });
  const response = await page(
    apiEvent({
      rawPath: path,
      routeKey: `POST ${path}`,
      pathParameters: caseId ? { caseId } : undefined,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, ...form }).toString(),
      claims: staffClaims('handler'),
    }) as never,
    lambdaContext,
  );
  return { status: response.statusCode ?? 0, body: String(response.body ?? '') };
}

/** What staff see when DynamoDB gave up: a 503 that says to try again, and no blame on their input. */
function expectTryAgain(page: { status: number; body: string }) {
  expect(page.status).toBe(503);
  expect(page.body).toMatch(/try again/);
  expect(page.body).not.toMatch(/There is a problem with|must be|Events must be in time order/);
}

/** A workflow task's failure as the state machine sees it: the AWS error's name, so its retrier runs it again. */
async function expectRetryableFailure(run: () => Promise<unknown>, name: string) {
  const failure = await run().then(
    () => undefined,
    (error: Error) => error,
  );
  expect(failure?.name).toBe(name);
}

const alertsSent = (alert: string) =>
  aws()
    .ses.commandCalls(SendEmailCommand)
    .filter((call) =>
      call.args[0].input.Content?.Simple?.Headers?.some(
        (header) => header.Name === 'X-Alert' && header.Value === alert,
      ),
    );

describe('the staff console forms under DynamoDB faults', () => {
  it('a task action: a throttled claim or event write answers 503 "try again", and the retry acts once', async () => {
    const { caseId } = await newCase();
    const task = await openTask(caseId, 'triage');
    const triage = () =>
      postForm(taskAction as Page, `/staff/case/${caseId}/task`, caseId, {
        taskId: task.taskId,
        action: 'triage',
        outcome: 'complaint',
      });
    // The claim of the task (UpdateItem), then the event (PutItem), each refused once.
    aws().dynamo.failNthWrite({ operation: 'UpdateItem', error: throttled });
    expectTryAgain(await triage());
    aws().dynamo.failNthWrite({ operation: 'PutItem', error: serverError });
    expectTryAgain(await triage());
    await expect((await dependencies()).repository.getTask(task.taskId)).resolves.toMatchObject({
      status: 'open',
    });
    expect((await triage()).status).toBe(303);
    // Registering the task sent the receipt first (each step sends the letters it owes).
    expect(await typesOf(caseId)).toEqual(['received', 'correspondence-sent', 'triaged']);
  });

  it('a note: a 5xx on its write answers 503 "try again" with the text kept, and the retry records it once', async () => {
    const { caseId } = await newCase();
    const note = () =>
      postForm(recordOnCase as Page, `/staff/case/${caseId}/record`, caseId, {
        action: 'note',
        'note-text': 'Rang the resident about access',
      });
    aws().dynamo.failNthWrite({ error: serverError });
    const refused = await note();
    expectTryAgain(refused);
    expect(refused.body).toContain('Rang the resident about access');
    expect((await note()).status).toBe(303);
    expect(await typesOf(caseId)).toEqual(['received', 'note-added']);
  });

  it('logging a phone complaint: a throttled write answers 503 "try again", and the resubmitted form makes one case', async () => {
    const form = {
      idempotencyKey: 'staff-log-fault-000001',
      channel: 'phone',
      'received-day': '2',
      'received-month': '3',
      'received-year': '2026',
      'received-time': '09:30',
      name: 'Bob Resident',
      email: 'bob@resident.example',
      preferredContact: 'email',
      whatHappened: 'Damp in the bedroom',
      outcomeWanted: 'Treat the damp',
    };
    const log = () => postForm(logComplaint as Page, '/staff/log-complaint', undefined, form);
    aws().dynamo.failNthWrite({ nth: 2, error: throttled });
    const refused = await log();
    expectTryAgain(refused);
    // The page keeps the same idempotency key, so submitting it again is the same complaint.
    expect(refused.body).toContain('staff-log-fault-000001');
    expect((await log()).status).toBe(303);
    expect((await log()).status).toBe(303);
    const cases = (await aws().table.items()).filter((item) => item.sk === 'PROJECTION');
    expect(cases).toHaveLength(1);
  });
});

describe('workflow task writes under DynamoDB faults', () => {
  it('record-receipt: a refused projection write fails the task retryably; the retry repairs the projection', async () => {
    const { caseId } = await newCase();
    aws().dynamo.failNthWrite({ operation: 'PutItem', error: throttled });
    await expectRetryableFailure(
      () => recordReceipt({ caseId }, lambdaContext),
      'ProvisionedThroughputExceededException',
    );
    await expect(recordReceipt({ caseId }, lambdaContext)).resolves.toMatchObject({ step: 'triage' });
    // The retried step sends the receipt it owes, once.
    expect(await typesOf(caseId)).toEqual(['received', 'correspondence-sent']);
  });

  it('register-task: a refused task write fails retryably; the retry leaves one open task and one alert', async () => {
    // A profile that alerts reviewers per task (the default is the digest): a stage 2 acknowledgement is theirs.
    const profile = loadProfile('code-baseline');
    const file = join(mkdtempSync(join(tmpdir(), 'profile-')), 'reviewers-each.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...profile,
        notifications: { newTasks: { ...profile.notifications.newTasks, reviewer: 'each' } },
      }),
    );
    process.env.PROVIDER_PROFILE_FILE = file;
    useDependencies(undefined);
    const { caseId } = await escalatedCase();
    const deps = await dependencies();
    const before = alertsSent('new-task').length;
    // The alert goes and is recorded (PutItem 1), then the task's own write (PutItem 2) is refused.
    aws().dynamo.failNthWrite({ nth: 2, operation: 'PutItem', error: serverError });
    await expectRetryableFailure(
      () => registerTask({ caseId, step: 'stage2-acknowledgement', taskToken: 'token-s2' }, lambdaContext),
      'InternalServerError',
    );
    await registerTask({ caseId, step: 'stage2-acknowledgement', taskToken: 'token-s2' }, lambdaContext);
    const open = (await deps.repository.tasksForCase(caseId)).filter((task) => task.status === 'open');
    expect(open.map((task) => task.step)).toEqual(['stage2-acknowledgement']);
    expect(alertsSent('new-task').length - before).toBe(1);
  });

  it('check-deadline: a refused reminder event fails retryably; the retry records one reminder, sent once', async () => {
    const { caseId } = await newCase();
    await openTask(caseId, 'triage');
    // Thursday 09:00 London: two working days before triage is due.
    vi.setSystemTime(new Date('2026-03-05T09:30:00Z'));
    // The task is timed out (UpdateItem), the alert recorded (PutItem 1), then the event (PutItem 2) refused.
    aws().dynamo.failNthWrite({ nth: 2, operation: 'PutItem', error: throttled });
    await expectRetryableFailure(
      () => checkDeadline({ caseId, step: 'triage' }, lambdaContext),
      'ProvisionedThroughputExceededException',
    );
    await expect(checkDeadline({ caseId, step: 'triage' }, lambdaContext)).resolves.toMatchObject({
      recorded: 'reminder',
    });
    expect((await typesOf(caseId)).filter((type) => type === 'reminder-sent')).toHaveLength(1);
    expect(alertsSent('reminder')).toHaveLength(1);
  });

  it('close-case: a refused closing event fails retryably; the retry closes the case once', async () => {
    const { caseId } = await escalatedCase();
    const deps = await dependencies();
    const ack = await openTask(caseId, 'stage2-acknowledgement');
    await actOnTask(deps, ack.taskId, REVIEWER, {
      action: 'acknowledge',
      definition: 'The stage 1 remedy did not cover the heating costs',
      outcomesSought: ['Compensation for heating costs'],
    });
    const respond = await openTask(caseId, 'stage2-response');
    const { stage: _stage, ...letter } = stageResponse(deps.context.profile, 2);
    await actOnTask(deps, respond.taskId, REVIEWER, { action: 'respond', ...letter });
    aws().dynamo.failNthWrite({ operation: 'PutItem', error: serverError });
    await expectRetryableFailure(() => closeCase({ caseId }, lambdaContext), 'InternalServerError');
    await expect(closeCase({ caseId }, lambdaContext)).resolves.toMatchObject({ step: 'closed' });
    await expect(closeCase({ caseId }, lambdaContext)).resolves.toMatchObject({ step: 'closed' });
    expect((await typesOf(caseId)).filter((type) => type === 'closed')).toHaveLength(1);
  });

  it('send-digest: a refused mark fails the run retryably; the retry marks the task and sends no second digest', async () => {
    const { caseId } = await newCase();
    const task = await openTask(caseId, 'triage');
    vi.setSystemTime(new Date('2026-03-03T08:00:00Z'));
    // The digest goes and is recorded (PutItem), then marking the task announced (UpdateItem) is refused.
    aws().dynamo.failNthWrite({ operation: 'UpdateItem', error: throttled });
    await expectRetryableFailure(
      () => sendDigest({}, lambdaContext),
      'ProvisionedThroughputExceededException',
    );
    await expect(sendDigest({}, lambdaContext)).resolves.toMatchObject({ digests: {} });
    expect(alertsSent('digest')).toHaveLength(1);
    expect((await (await dependencies()).repository.getTask(task.taskId))?.announcedAt).toEqual(
      expect.any(String),
    );
  });
});

/** The writes one run of `act` makes, in order: each is refused in turn by the tests below. */
async function writesOf(act: () => Promise<unknown>): Promise<number> {
  const from = aws().dynamo.calls.length;
  await act();
  return aws()
    .dynamo.calls.slice(from)
    .filter((call) => /^(Put|Update|Delete)Item$|^TransactWriteItems$/.test(call.operation)).length;
}

const letterKeys = () =>
  aws()
    .ses.commandCalls(SendEmailCommand)
    .flatMap(
      (call) =>
        call.args[0].input.Content?.Simple?.Headers?.filter(
          (header) => header.Name === 'X-Correspondence-Key',
        ).map((header) => header.Value ?? '') ?? [],
    );

describe('send-notifications under DynamoDB write faults', () => {
  it('each write refused in turn: the task fails retryably, the retry records the receipt once (sent again only across the failure)', async () => {
    const counted = await newCase();
    const total = await writesOf(() => sendNotifications({ caseId: counted.caseId }, lambdaContext));
    expect(total).toBeGreaterThan(0);
    for (let nth = 1; nth <= total; nth++) {
      const { caseId } = await newCase();
      const before = letterKeys().length;
      aws().dynamo.failNthWrite({ nth, error: nth % 2 ? throttled : serverError });
      await expectRetryableFailure(
        () => sendNotifications({ caseId }, lambdaContext),
        nth % 2 ? 'ProvisionedThroughputExceededException' : 'InternalServerError',
      );
      await expect(sendNotifications({ caseId }, lambdaContext)).resolves.toMatchObject({ step: 'triage' });
      await sendNotifications({ caseId }, lambdaContext);
      const recorded = (await events(caseId)).filter((event) => event.type === 'correspondence-sent');
      expect(recorded.map((event) => (event as { key: string }).key)).toEqual(['complaint-received#1']);
      // At least once: a letter whose record was refused goes again, recognisably the same letter.
      const sent = letterKeys().slice(before);
      expect(new Set(sent)).toEqual(new Set(['complaint-received#1']));
      expect(sent.length).toBeLessThanOrEqual(2);
    }
  }, 120_000);
});

describe('email intake under DynamoDB write faults', () => {
  const store = async (...fixture: Parameters<typeof storeEmailFixture>) =>
    (await storeEmailFixture(...fixture)).key;

  const receive = (key: string) =>
    intake(
      s3ObjectCreated({ bucket: 'inbound', key, size: 1, time: '2026-03-02T09:59:00.000Z' }),
      lambdaContext,
    ) as Promise<{ outcome: string }>;

  /** Every write of one message refused in turn; each message is then received again, as S3's retry would. */
  async function faultEachWrite(
    send: (n: number) => Promise<string>,
    expectOnce: (n: number, key: string) => Promise<void>,
  ) {
    const total = await writesOf(async () => receive(await send(0)));
    expect(total).toBeGreaterThan(2);
    for (let nth = 1; nth <= total; nth++) {
      const key = await send(nth);
      const from = aws().dynamo.calls.length;
      aws().dynamo.failNthWrite({ nth, error: nth % 2 ? throttled : serverError });
      const first = await receive(key).then(
        () => undefined,
        (error: Error) => error,
      );
      if (first === undefined) {
        // The one write whose failure is rightly ignored: the reference counter is a hint.
        const failed = aws()
          .dynamo.calls.slice(from)
          .filter((call) => /^(Put|Update|Delete)Item$/.test(call.operation))[nth - 1];
        expect((failed?.input as { Key?: { pk?: string } } | undefined)?.Key?.pk, `write ${nth}`).toMatch(
          /^COUNTER#/,
        );
      } else {
        expect(first.name).toMatch(/ProvisionedThroughputExceededException|InternalServerError/);
        // Nothing is lost: the raw message is still there for the retry.
        await expect((await dependencies()).inboundEmail?.get(key)).resolves.toBeDefined();
        await expect(receive(key)).resolves.toEqual({
          outcome: expect.stringMatching(/case-opened|threaded/),
        });
      }
      // A third delivery of the same message (S3 retries, or SES stored it twice) changes nothing.
      await expect(receive(key)).resolves.toEqual({ outcome: 'duplicate' });
      await expectOnce(nth, key);
    }
  }

  it('a new complaint by email: each write refused in turn, then received again, opens one case', async () => {
    process.env.INBOUND_EMAIL_DIR = mkdtempSync(join(tmpdir(), 'inbound-'));
    await faultEachWrite(
      (n) => store('multipart-alternative.eml', `fault-${n}@resident.example`),
      async (n, key) => {
        const messageId = `fault-${n}@resident.example`;
        const cases = (await aws().table.items()).filter(
          (item) => item.sk === 'PROJECTION' && (item.state as CaseState).email?.messageId === messageId,
        );
        expect(cases, `write ${n}`).toHaveLength(1);
        const caseId = String(cases[0]?.caseId);
        expect((await events(caseId)).map((event) => event.type)).toEqual(['received']);
        expect((cases[0]?.state as CaseState | undefined)?.email?.rawKey).toBe(key);
      },
    );
    // One reference per message, none skipped.
    const references = (await aws().table.items())
      .filter((item) => item.sk === 'PROJECTION')
      .map((item) => String(item.reference))
      .sort();
    expect(references).toEqual(references.map((_, i) => `CMP-2026-${String(i + 1).padStart(6, '0')}`));
  });

  it('a reply quoting the reference: each write refused in turn, then received again, is added to the case once', async () => {
    process.env.INBOUND_EMAIL_DIR = mkdtempSync(join(tmpdir(), 'inbound-'));
    const { caseId, reference } = await newCase();
    await faultEachWrite(
      (n) =>
        store('reference-subject-known.eml', `reply-fault-${n}@resident.example`, {
          'CMP-2026-000001': reference,
        }),
      async (n) => {
        const replies = (await events(caseId)).filter(
          (event) =>
            event.type === 'email-received' && event.messageId === `reply-fault-${n}@resident.example`,
        );
        expect(replies, `write ${n}`).toHaveLength(1);
      },
    );
  });
});
