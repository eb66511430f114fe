import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  ExecutionAlreadyExists,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it, vi } from 'vitest';
import { decisionHandler } from '#functions/api/erasure.ts';
import { actionHandler, viewHandler } from '#functions/api/resident.ts';
import { caseActionHandler, taskActionHandler } from '#functions/api/staff-actions.ts';
import { caseHandler, queueHandler, searchHandler } from '#functions/api/staff-queries.ts';
import { residentHandler, staffHandler } from '#functions/api/submit-complaint.ts';
import { handler as registerTask } from '#functions/workflow/register-task.ts';
import { apiEvent, lambdaContext, parse, staffClaims, useLocalAws } from './setup.ts';

const complaint = {
  complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
  complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' },
};

const aws = useLocalAws();

async function submit(key = 'key-00000001', body: unknown = complaint) {
  return parse(
    await residentHandler(apiEvent({ headers: { 'idempotency-key': key }, json: body }), lambdaContext),
  );
}

/** A handler triages the task as a complaint, through the staff API. */
async function triageAsHandler(taskId: string) {
  return parse(
    await taskActionHandler(
      apiEvent({
        pathParameters: { taskId },
        json: { action: 'triage', outcome: 'complaint' },
        claims: staffClaims('handler'),
      }),
      lambdaContext,
    ),
  );
}

async function registerTriageTask(caseId: string, token = 'token-secret-1') {
  await registerTask({ caseId, step: 'triage', taskToken: token }, lambdaContext);
  const queue = parse(await queueHandler(apiEvent({ claims: staffClaims('handler') }), lambdaContext));
  return (queue.body.tasks as Array<{ taskId: string; caseId: string }>).find(
    (task) => task.caseId === caseId,
  );
}

describe('POST /complaints (resident intake)', () => {
  it('creates the case and starts an execution named after it', async () => {
    const { statusCode, body } = await submit();
    expect(statusCode).toBe(201);
    expect(body).toMatchObject({
      reference: 'CMP-2026-000001',
      created: true,
      acknowledgementDueDate: '2026-03-09',
    });
    const start = aws().sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(start?.name).toBe(body.caseId);
    // Started with the case's position: its first state routes straight to the wait for triage.
    expect(JSON.parse(start?.input ?? '{}')).toMatchObject({
      caseId: body.caseId,
      step: 'triage',
      lettersOwed: 1,
      timeoutSeconds: expect.any(Number),
    });
    expect(String(body.caseLink)).toMatch(/^https:\/\/complaints\.example\.org\/cases\/.+\?token=/);
  });

  it('is idempotent on the key: a retry returns the same case and a second start is harmless', async () => {
    const first = await submit();
    aws()
      .sfn.on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const second = await submit();
    expect(second.statusCode).toBe(200);
    expect(second.body).toMatchObject({ caseId: first.body.caseId, created: false });
  });

  it('refuses a missing idempotency key, invalid fields and broken JSON with clear messages', async () => {
    const noKey = parse(await residentHandler(apiEvent({ json: complaint }), lambdaContext));
    expect(noKey).toMatchObject({
      statusCode: 422,
      body: { message: expect.stringMatching(/Idempotency-Key header/) },
    });
    const invalid = await submit('key-00000002', {
      complainant: { name: '', preferredContact: 'pigeon' },
      complaint: {},
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.body.message).toMatch(/complainant.name/);
    expect(invalid.body.message).toMatch(/complainant.preferredContact/);
    expect(invalid.body.message).toMatch(/complaint.whatHappened/);
    const broken = parse(
      await residentHandler(
        apiEvent({ headers: { 'idempotency-key': 'key-00000003' }, body: '{"nope' }),
        lambdaContext,
      ),
    );
    expect(broken).toMatchObject({ statusCode: 400, body: { error: 'BAD_JSON' } });
  });

  it('uses up no reference on a refused complaint: the next one gets the next number, with its key', async () => {
    // References are gap-free for auditors. The contact detail is checked by the case's first event, which
    // ran after the key was claimed and a number taken; and the key then stayed claimed for that body.
    const noEmail = await submit('key-00000004', {
      ...complaint,
      complainant: { name: 'Ada Resident', preferredContact: 'email' },
    });
    expect(noEmail.statusCode).toBe(422);
    const corrected = await submit('key-00000004');
    expect(corrected.statusCode).toBe(201);
    expect(corrected.body.reference).toBe('CMP-2026-000001');
    const next = await submit('key-00000005');
    expect(next.body.reference).toBe('CMP-2026-000002');
  });

  it('answers 409 when a key already holding a complaint comes with a different body, valid or not', async () => {
    const first = await submit('key-00000008');
    expect(first.statusCode).toBe(201);
    // Fixing these fields could never succeed with this key: the client is told the key is taken.
    const invalid = await submit('key-00000008', { complainant: { name: '' }, complaint: {} });
    expect(invalid).toMatchObject({
      statusCode: 409,
      body: { error: 'CONFLICT', message: expect.stringMatching(/already used for a different complaint/) },
    });
    // Refused by the case's first event (no email for the preferred method), not by the schema.
    const noEmail = await submit('key-00000008', {
      ...complaint,
      complainant: { name: 'Ada Resident', preferredContact: 'email' },
    });
    expect(noEmail).toMatchObject({ statusCode: 409, body: { error: 'CONFLICT' } });
    const different = await submit('key-00000008', {
      ...complaint,
      complaint: { whatHappened: 'Damp in the bedroom', outcomeWanted: 'Treat it' },
    });
    expect(different).toMatchObject({ statusCode: 409, body: { error: 'CONFLICT' } });
    // The same request is still answered with its case, and a free key still gets the field errors.
    expect(await submit('key-00000008')).toMatchObject({
      statusCode: 200,
      body: { caseId: first.body.caseId, created: false },
    });
    expect((await submit('key-00000009', { complainant: { name: '' }, complaint: {} })).statusCode).toBe(422);
  });

  it('says what to enter for a missing outcome, and names the missing contact detail', async () => {
    const noOutcome = await submit('key-00000006', {
      ...complaint,
      complaint: { whatHappened: 'The boiler is broken' },
    });
    expect(noOutcome.statusCode).toBe(422);
    expect(noOutcome.body.message).toContain(
      'complaint.outcomeWanted: is required: say what the resident would like done to put things right',
    );
    expect(noOutcome.body.message).not.toContain('expected string');
    const noEmail = await submit('key-00000007', {
      ...complaint,
      complainant: { name: 'Ada Resident', preferredContact: 'email' },
    });
    expect(noEmail.statusCode).toBe(422);
    expect(noEmail.body).toMatchObject({
      message: 'An email address is required when the preferred contact method is email',
      details: [
        {
          field: 'complainant.email',
          message: 'An email address is required when the preferred contact method is email',
        },
      ],
    });
  });

  it('lets staff log a phone complaint, recording the channel and who logged it', async () => {
    const anonymous = parse(await staffHandler(apiEvent({ json: complaint }), lambdaContext));
    expect(anonymous.statusCode).toBe(403);
    const logged = parse(
      await staffHandler(
        apiEvent({
          headers: { 'idempotency-key': 'phone-0001' },
          json: { ...complaint, channel: 'phone', receivedAt: '2026-03-01T15:00:00Z' },
          claims: staffClaims('handler'),
        }),
        lambdaContext,
      ),
    );
    expect(logged.statusCode).toBe(201);
    const view = parse(
      await caseHandler(
        apiEvent({ pathParameters: { caseId: String(logged.body.caseId) }, claims: staffClaims('handler') }),
        lambdaContext,
      ),
    );
    expect(view.body.events).toMatchObject([
      {
        type: 'received',
        channel: 'phone',
        at: '2026-03-01T15:00:00.000Z',
        by: { kind: 'staff', role: 'handler' },
      },
    ]);
  });
});

describe('POST /staff/tasks/{taskId}/actions', () => {
  it('appends the event, then completes the callback with the new position; tokens never leave the server', async () => {
    const { body } = await submit();
    const task = await registerTriageTask(String(body.caseId));
    expect(JSON.stringify(task)).not.toMatch(/token-secret/);
    const response = await triageAsHandler(task?.taskId ?? '');
    expect(response.statusCode).toBe(200);
    expect(JSON.stringify(response.body)).not.toMatch(/token-secret/);
    const success = aws().sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(success?.taskToken).toBe('token-secret-1');
    expect(JSON.parse(success?.output ?? '{}')).toMatchObject({
      step: 'stage1-acknowledgement',
      status: 'stage1-acknowledgement',
    });
  });

  it('answers 409 with what happened when the task was already done', async () => {
    const { body } = await submit();
    const task = await registerTriageTask(String(body.caseId));
    const act = () => triageAsHandler(task?.taskId ?? '');
    await act();
    const second = await act();
    expect(second).toMatchObject({
      statusCode: 409,
      body: { error: 'TASK_NOT_OPEN', message: expect.stringMatching(/already done/) },
    });
  });

  it('keeps the recorded event when the workflow stopped waiting in the meantime (TaskTimedOut)', async () => {
    const { body } = await submit();
    const task = await registerTriageTask(String(body.caseId));
    aws()
      .sfn.on(SendTaskSuccessCommand)
      .rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));
    const response = await triageAsHandler(task?.taskId ?? '');
    expect(response.statusCode).toBe(200);
    expect((response.body.state as { status: string }).status).toBe('stage1-acknowledgement');
  });

  const throttled = () =>
    Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: {},
    });

  it('retries a throttled callback, so the workflow moves on at once', async () => {
    const { body } = await submit();
    const task = await registerTriageTask(String(body.caseId));
    aws().sfn.on(SendTaskSuccessCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({});
    const response = await triageAsHandler(task?.taskId ?? '');
    expect(response.statusCode).toBe(200);
    const calls = aws().sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(3);
    expect(JSON.parse(calls[2]?.args[0].input.output ?? '{}')).toMatchObject({
      step: 'stage1-acknowledgement',
    });
  });

  it('records the action when the callback stays throttled, and sends the owed callback when the case is next viewed', async () => {
    const { body } = await submit();
    const caseId = String(body.caseId);
    const task = await registerTriageTask(caseId);
    aws().sfn.on(SendTaskSuccessCommand).rejects(throttled());
    // The action is recorded and done whatever Step Functions answers: "try again" would only meet a 409.
    const response = await triageAsHandler(task?.taskId ?? '');
    expect(response.statusCode).toBe(200);
    expect(aws().sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(5);
    const owed = (await aws().table.items()).find((item) => item.pk === `TASK#${task?.taskId}`);
    expect(owed).toMatchObject({ status: 'done', callbackOwedSince: expect.any(String) });

    const view = () =>
      caseHandler(
        apiEvent({ pathParameters: { caseId }, claims: staffClaims('handler') }),
        lambdaContext,
      ).then(parse);
    // Still throttled: the view answers all the same, and the callback stays owed.
    expect((await view()).statusCode).toBe(200);
    expect(aws().sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(10);
    aws().sfn.on(SendTaskSuccessCommand).resolves({});
    const seen = await view();
    const calls = aws().sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(11);
    expect(calls[10]?.args[0].input.taskToken).toBe('token-secret-1');
    expect(JSON.parse(calls[10]?.args[0].input.output ?? '{}')).toMatchObject({
      step: 'stage1-acknowledgement',
    });
    expect(
      (seen.body.events as Array<{ type: string }>).filter((event) => event.type === 'triaged'),
    ).toHaveLength(1);
    // Settled: the next view sends nothing, and acting again is refused as done.
    await view();
    expect(aws().sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(11);
    expect(await triageAsHandler(task?.taskId ?? '')).toMatchObject({
      statusCode: 409,
      body: { error: 'TASK_NOT_OPEN', message: expect.stringMatching(/already done/) },
    });
  });

  it('refuses an extension once the response is overdue (422), saying to respond instead', async () => {
    const { body } = await submit();
    const caseId = String(body.caseId);
    const act = async (step: string, action: Record<string, unknown>) => {
      await registerTask({ caseId, step, taskToken: `token-${step}` }, lambdaContext);
      const queue = parse(await queueHandler(apiEvent({ claims: staffClaims('handler') }), lambdaContext));
      const task = (queue.body.tasks as Array<{ taskId: string; caseId: string; step: string }>).find(
        (candidate) => candidate.caseId === caseId && candidate.step === step,
      );
      return parse(
        await taskActionHandler(
          apiEvent({
            pathParameters: { taskId: task?.taskId ?? '' },
            json: action,
            claims: staffClaims('handler'),
          }),
          lambdaContext,
        ),
      );
    };
    expect((await act('triage', { action: 'triage', outcome: 'complaint' })).statusCode).toBe(200);
    const acknowledged = await act('stage1-acknowledgement', {
      action: 'acknowledge',
      definition: 'Boiler repair delay',
      outcomesSought: ['Fix it'],
    });
    expect(acknowledged.statusCode).toBe(200);
    // The stage 1 response is due by the end of Monday 16 March 2026.
    vi.setSystemTime(new Date('2026-03-17T09:00:00Z'));
    const late = await act('stage1-response', {
      action: 'extend',
      workingDays: 5,
      reason: 'Waiting for information from a third party',
      explanation: 'The contractor has not reported back.',
    });
    expect(late).toMatchObject({
      statusCode: 422,
      body: {
        error: 'EXTENSION_REFUSED',
        message: expect.stringMatching(
          /^The stage 1 response was due by Monday 16 March 2026, so it is too late to extend: .*\(Code 6\.4\)\. Send the response now instead/,
        ),
      },
    });
  });

  it('maps domain refusals to 4xx with the rule that refused them', async () => {
    const { body } = await submit();
    const task = await registerTriageTask(String(body.caseId));
    const refusal = parse(
      await taskActionHandler(
        apiEvent({
          pathParameters: { taskId: task?.taskId ?? '' },
          json: {
            action: 'triage',
            outcome: 'not-accepted',
            exclusionCode: 'we-are-busy',
            rationale: 'x',
            ombudsmanRoute: 'none',
          },
          claims: staffClaims('handler'),
        }),
        lambdaContext,
      ),
    );
    expect(refusal).toMatchObject({ statusCode: 422, body: { error: 'NOT_ACCEPTED_WITHOUT_REASONS' } });
    const wrongAction = parse(
      await taskActionHandler(
        apiEvent({
          pathParameters: { taskId: task?.taskId ?? '' },
          json: { action: 'respond' },
          claims: staffClaims('handler'),
        }),
        lambdaContext,
      ),
    );
    expect(wrongAction.statusCode).toBe(422);
    const missing = parse(
      await taskActionHandler(
        apiEvent({
          pathParameters: { taskId: 'nope' },
          json: { action: 'triage', outcome: 'complaint' },
          claims: staffClaims('handler'),
        }),
        lambdaContext,
      ),
    );
    expect(missing.statusCode).toBe(404);
  });

  it('records notes and outstanding actions on the case', async () => {
    const { body } = await submit();
    const response = parse(
      await caseActionHandler(
        apiEvent({
          pathParameters: { caseId: String(body.caseId) },
          json: { action: 'note', text: 'Called the resident' },
          claims: staffClaims('handler'),
        }),
        lambdaContext,
      ),
    );
    expect(response.statusCode).toBe(200);
    expect((response.body.state as { seq: number }).seq).toBe(2);
  });
});

describe('legal hold (POST /staff/cases/{caseId}/events)', () => {
  const hold = (caseId: string, role: string, json: unknown) =>
    caseActionHandler(
      apiEvent({ pathParameters: { caseId }, json, claims: staffClaims(role) }),
      lambdaContext,
    ).then(parse);

  it('answers an unknown or missing action with every action the route takes, a correction included', async () => {
    const caseId = String((await submit()).body.caseId);
    for (const json of [{}, { action: 'rectfy' }]) {
      const refused = await hold(caseId, 'manager', json);
      expect(refused.statusCode).toBe(422);
      expect(refused.body.message).toContain('note');
      expect(refused.body.message).toContain('rectify');
    }
  });

  it('is set and released by a manager with a reason, refused to a handler, and says what is wrong', async () => {
    const caseId = String((await submit()).body.caseId);
    const byHandler = await hold(caseId, 'handler', { action: 'legal-hold', reason: 'County court claim' });
    expect(byHandler.statusCode).toBe(403);
    expect(byHandler.body.message).toContain('Only a manager or an admin');
    // Without a reason, or a blank one, the answer names the field and what to put in it (not zod's words).
    for (const json of [{ action: 'legal-hold' }, { action: 'legal-hold', reason: '  ' }]) {
      const noReason = await hold(caseId, 'manager', json);
      expect(noReason).toMatchObject({
        statusCode: 422,
        body: {
          error: 'INVALID_INPUT',
          message:
            'Please correct: reason: Enter the reason for the legal hold (why the case must be kept, such as a court claim)',
          details: [
            { field: 'reason', message: expect.stringMatching(/^Enter the reason for the legal hold/) },
          ],
        },
      });
    }
    const set = await hold(caseId, 'manager', { action: 'legal-hold', reason: 'County court claim' });
    expect(set.statusCode).toBe(200);
    expect(set.body.state).toMatchObject({ legalHold: { reason: 'County court claim' } });
    const again = await hold(caseId, 'admin', { action: 'legal-hold', reason: 'Twice' });
    expect(again.statusCode).toBe(422);
    expect(again.body.message).toContain('already under a legal hold');
    const noRelease = await hold(caseId, 'admin', { action: 'release-legal-hold', reason: '' });
    expect(noRelease).toMatchObject({
      statusCode: 422,
      body: {
        details: [
          {
            field: 'reason',
            message: expect.stringMatching(/^Enter the reason for releasing the legal hold/),
          },
        ],
      },
    });
    const released = await hold(caseId, 'admin', { action: 'release-legal-hold', reason: 'Claim settled' });
    expect(released.statusCode).toBe(200);
    expect((released.body.state as { legalHold?: unknown }).legalHold).toBeUndefined();
    const events = parse(
      await caseHandler(
        apiEvent({ pathParameters: { caseId }, claims: staffClaims('manager') }),
        lambdaContext,
      ),
    ).body.events as Array<{ type: string; reason?: string }>;
    expect(events.filter((event) => event.type.startsWith('legal-hold'))).toMatchObject([
      { type: 'legal-hold-set', reason: 'County court claim' },
      { type: 'legal-hold-released', reason: 'Claim settled' },
    ]);
  });
});

describe('erasure and rectification (POST /staff/cases/{caseId}/erasure, /events)', () => {
  const as = (role: string, caseId: string, json: unknown, handle = decisionHandler) =>
    handle(apiEvent({ pathParameters: { caseId }, json, claims: staffClaims(role) }), lambdaContext).then(
      parse,
    );
  const granted = { requestedOn: '2026-03-02', decision: 'granted', reason: 'The resident asked by letter' };

  it('refuses an erasure to a handler (403), says what is wrong with the request (422), and refuses it while the case is open (409, recorded)', async () => {
    const caseId = String((await submit()).body.caseId);
    const byHandler = await as('handler', caseId, granted);
    expect(byHandler.statusCode).toBe(403);
    expect(byHandler.body.message).toContain('managers and admins');
    const badDate = await as('manager', caseId, { ...granted, requestedOn: '1 March' });
    expect(badDate.statusCode).toBe(422);
    expect(badDate.body.message).toContain('requestedOn');
    const { reason: _, ...noReason } = granted;
    for (const json of [noReason, { ...granted, reason: ' ' }]) {
      expect(await as('manager', caseId, json)).toMatchObject({
        statusCode: 422,
        body: {
          details: [
            { field: 'reason', message: expect.stringMatching(/^Enter the reason for the erasure decision/) },
          ],
        },
      });
    }
    const { requestedOn: __, ...undated } = granted;
    expect((await as('manager', caseId, undated)).body.message).toBe(
      'Please correct: requestedOn: must be the date the request was made, YYYY-MM-DD',
    );
    // Today is 2 March 2026 (London), the day the case was received: a date after it, or before, is refused.
    expect(await as('manager', caseId, { ...granted, requestedOn: '2040-01-01' })).toMatchObject({
      statusCode: 422,
      body: {
        error: 'INVALID_INPUT',
        message:
          'Please correct: requestedOn: Sunday 1 January 2040 is after today: enter the date the resident made the request, today (Monday 2 March 2026) or earlier',
        details: [
          { field: 'requestedOn', message: expect.stringMatching(/^Sunday 1 January 2040 is after today/) },
        ],
      },
    });
    expect(await as('manager', caseId, { ...granted, requestedOn: '2026-03-01' })).toMatchObject({
      statusCode: 422,
      body: {
        details: [
          {
            field: 'requestedOn',
            message:
              'Sunday 1 March 2026 is before the case was received on Monday 2 March 2026: enter the date the resident made the request, Monday 2 March 2026 or later',
          },
        ],
      },
    });
    const noDecision = await as('manager', caseId, { ...granted, decision: 'maybe' });
    expect(noDecision.statusCode).toBe(422);
    expect(noDecision.body.message).toContain('granted, refused');
    const open = await as('manager', caseId, granted);
    expect(open.statusCode).toBe(409);
    expect(open.body).toMatchObject({ error: 'CASE_OPEN', details: { block: 'open-case', recorded: true } });
    expect(open.body.message).toContain('is still open');
  });

  it('records a correction with its reason; the original stays in the log', async () => {
    const caseId = String((await submit()).body.caseId);
    const rectify = {
      action: 'rectify',
      field: 'email',
      value: 'ada.new@resident.example',
      reason: 'She wrote',
    };
    expect((await as('handler', caseId, rectify, caseActionHandler)).statusCode).toBe(403);
    const unexplained = await as('manager', caseId, { ...rectify, reason: '' }, caseActionHandler);
    expect(unexplained).toMatchObject({
      statusCode: 422,
      body: {
        details: [
          { field: 'reason', message: expect.stringMatching(/^Enter the reason for the correction/) },
        ],
      },
    });
    const { value: _, ...noValue } = rectify;
    expect((await as('manager', caseId, noValue, caseActionHandler)).body.details).toEqual([
      { field: 'value', message: expect.stringMatching(/^Give "value": the correct value/) },
    ]);
    const badField = await as('manager', caseId, { ...rectify, field: 'reference' }, caseActionHandler);
    expect(badField.statusCode).toBe(422);
    expect(badField.body.message).toContain('field must be one of name, email');
    const done = await as('manager', caseId, rectify, caseActionHandler);
    expect(done.statusCode).toBe(200);
    expect(done.body.state).toMatchObject({ complainant: { email: 'ada.new@resident.example' } });
    const events = parse(
      await caseHandler(
        apiEvent({ pathParameters: { caseId }, claims: staffClaims('manager') }),
        lambdaContext,
      ),
    ).body.events as Array<{ type: string; complainant?: { email?: string } }>;
    expect(events[0]?.complainant?.email).toBe('ada@resident.example');
    expect(events.at(-1)).toMatchObject({ type: 'rectified', field: 'email', reason: 'She wrote' });
    // Search finds the case by the corrected address.
    const found = parse(
      await searchHandler(
        apiEvent({
          queryStringParameters: { q: 'ada.new@resident.example' },
          claims: staffClaims('handler'),
        }),
        lambdaContext,
      ),
    ).body as { cases: Array<{ caseId: string }> };
    expect(found.cases.map((found) => found.caseId)).toContain(caseId);
  });
});

describe('resident routes (signed link)', () => {
  it('shows the case only with a valid link for that case', async () => {
    const { body } = await submit();
    const token = new URL(String(body.caseLink)).searchParams.get('token') ?? '';
    const view = parse(
      await viewHandler(
        apiEvent({ pathParameters: { caseId: String(body.caseId) }, queryStringParameters: { token } }),
        lambdaContext,
      ),
    );
    expect(view.statusCode).toBe(200);
    expect(view.body.case).toMatchObject({ reference: 'CMP-2026-000001' });
    expect(JSON.stringify(view.body)).not.toMatch(/handlers|breaches|"by"/);
    const forged = parse(
      await viewHandler(
        apiEvent({
          pathParameters: { caseId: String(body.caseId) },
          queryStringParameters: { token: `${token}A` },
        }),
        lambdaContext,
      ),
    );
    expect(forged).toMatchObject({ statusCode: 403, body: { error: 'FORBIDDEN' } });
    vi.setSystemTime(new Date('2027-03-10T10:00:00Z'));
    const expired = parse(
      await viewHandler(
        apiEvent({ pathParameters: { caseId: String(body.caseId) }, queryStringParameters: { token } }),
        lambdaContext,
      ),
    );
    expect(expired.body.message).toMatch(/expired/);
  });

  it('refuses a link for another case, and takes added information before the stage 1 response', async () => {
    const first = await submit('key-first-01');
    const second = await submit('key-second-1');
    const token = new URL(String(first.body.caseLink)).searchParams.get('token') ?? '';
    const crossed = parse(
      await actionHandler(
        apiEvent({
          pathParameters: { caseId: String(second.body.caseId) },
          json: { token, action: 'add-information', text: 'x' },
        }),
        lambdaContext,
      ),
    );
    expect(crossed.body.message).toBe('This link is for a different case');
    expect(crossed.statusCode).toBe(403);
    const added = parse(
      await actionHandler(
        apiEvent({
          pathParameters: { caseId: String(first.body.caseId) },
          json: { token, action: 'add-information', text: 'Also the radiator', afterSeq: 1 },
        }),
        lambdaContext,
      ),
    );
    expect(added.statusCode).toBe(200);
    expect(aws().ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});

describe('behind CloudFront and AWS WAF', () => {
  it('refuses requests that did not come through CloudFront (no origin header)', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'cloudfront-origin-secret-value' });
    vi.stubEnv('ORIGIN_VERIFY_SECRET_ARN', 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:origin');
    try {
      const direct = parse(
        await residentHandler(
          apiEvent({ headers: { 'idempotency-key': 'key-direct-1' }, json: complaint }),
          lambdaContext,
        ),
      );
      expect(direct).toMatchObject({ statusCode: 403, body: { error: 'FORBIDDEN' } });
      const forged = parse(
        await residentHandler(
          apiEvent({
            headers: { 'idempotency-key': 'key-forged-1', 'x-origin-verify': 'guess' },
            json: complaint,
          }),
          lambdaContext,
        ),
      );
      expect(forged.statusCode).toBe(403);
      const viaCloudFront = parse(
        await residentHandler(
          apiEvent({
            headers: {
              'idempotency-key': 'key-edge-001',
              'x-origin-verify': 'cloudfront-origin-secret-value',
            },
            json: complaint,
          }),
          lambdaContext,
        ),
      );
      expect(viaCloudFront.statusCode).toBe(201);
    } finally {
      vi.unstubAllEnvs();
      secrets.restore();
    }
  });
});
