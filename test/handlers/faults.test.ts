import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { actionHandler, viewHandler } from '#functions/api/resident.ts';
import { caseActionHandler, taskActionHandler } from '#functions/api/staff-actions.ts';
import { queueHandler } from '#functions/api/staff-queries.ts';
import { residentHandler } from '#functions/api/submit-complaint.ts';
import { handler as registerTask } from '#functions/workflow/register-task.ts';
import type { CaseEvent } from '#shared/domain/case.ts';
import { apiEvent, lambdaContext, parse, staffClaims, useLocalAws } from './setup.ts';

/**
 * DynamoDB throttling and server errors on every write path, as the handlers see them once the SDK has given up:
 * the caller gets a 503 saying to try again (never a 4xx blaming their input, never a bare 500), the API's
 * server-error alarm counts it, and the retry records the request once.
 */
const aws = useLocalAws();

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds the allowed throughput',
    $metadata: {},
  });
const serverError = () => new InternalServerError({ message: 'Internal server error', $metadata: {} });

const complaint = {
  complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
  complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' },
};

const submit = async (key: string) =>
  parse(
    await residentHandler(apiEvent({ headers: { 'idempotency-key': key }, json: complaint }), lambdaContext),
  );

async function events(caseId: string): Promise<CaseEvent[]> {
  return (await aws().table.items())
    .filter((item) => item.pk === `CASE#${caseId}` && String(item.sk).startsWith('EVT#'))
    .map((item) => item.event as CaseEvent);
}

function expectBusy(answer: { statusCode: number; body: Record<string, unknown> }) {
  expect(answer).toMatchObject({
    statusCode: 503,
    body: { error: 'SERVICE_BUSY', message: expect.stringMatching(/try again/) },
  });
}

describe('DynamoDB throttling and server errors on every write path', () => {
  it('intake: answers 503, and the retry with the same key makes the one case, with the first reference', async () => {
    aws().dynamo.failNthWrite({ error: throttled });
    expectBusy(await submit('fault-key-0001'));
    aws().dynamo.failNthWrite({ nth: 2, error: serverError });
    expectBusy(await submit('fault-key-0001'));
    const retry = await submit('fault-key-0001');
    expect(retry).toMatchObject({ statusCode: 201, body: { reference: 'CMP-2026-000001' } });
    const again = await submit('fault-key-0001');
    expect(again).toMatchObject({ statusCode: 200, body: { caseId: retry.body.caseId } });
    expect((await events(String(retry.body.caseId))).map((event) => event.type)).toEqual(['received']);
  });

  it('staff notes, task actions and resident actions: 503, nothing half-done, and the retry acts once', async () => {
    const { body } = await submit('fault-key-0002');
    const caseId = String(body.caseId);
    const token = new URL(String(body.caseLink)).searchParams.get('token') ?? '';
    await registerTask({ caseId, step: 'triage', taskToken: 'token-secret-1' }, lambdaContext);
    const queue = parse(await queueHandler(apiEvent({ claims: staffClaims('handler') }), lambdaContext));
    const taskId = (queue.body.tasks as Array<{ taskId: string }>)[0]?.taskId ?? '';

    const note = () =>
      caseActionHandler(
        apiEvent({
          pathParameters: { caseId },
          json: { action: 'note', text: 'Rang the resident' },
          claims: staffClaims('handler'),
        }),
        lambdaContext,
      ).then(parse);
    aws().dynamo.failNthWrite({ error: serverError });
    expectBusy(await note());
    expect((await note()).statusCode).toBe(200);

    const triage = () =>
      taskActionHandler(
        apiEvent({
          pathParameters: { taskId },
          json: { action: 'triage', outcome: 'complaint' },
          claims: staffClaims('handler'),
        }),
        lambdaContext,
      ).then(parse);
    // Claiming the task is throttled: the task stays open. Then the event's write fails: the task reopens.
    aws().dynamo.failNthWrite({ error: throttled });
    expectBusy(await triage());
    aws().dynamo.failNthWrite({ nth: 2, error: throttled });
    expectBusy(await triage());
    expect((await triage()).statusCode).toBe(200);

    const withdraw = () =>
      actionHandler(
        apiEvent({ pathParameters: { caseId }, json: { token, action: 'withdraw' } }),
        lambdaContext,
      ).then(parse);
    aws().dynamo.failNthWrite({ error: serverError });
    expectBusy(await withdraw());
    expect((await withdraw()).statusCode).toBe(200);

    // The receipt went when the triage task was registered (each step sends the letters it owes).
    expect((await events(caseId)).map((event) => event.type)).toEqual([
      'received',
      'correspondence-sent',
      'note-added',
      'triaged',
      'withdrawn',
    ]);
  });

  it('a resident adding information by JSON: afterSeq is required, so a retry after a half-done write adds it once', async () => {
    const { body } = await submit('fault-key-0003');
    const caseId = String(body.caseId);
    const token = new URL(String(body.caseLink)).searchParams.get('token') ?? '';
    const add = (json: Record<string, unknown>) =>
      actionHandler(
        apiEvent({ pathParameters: { caseId }, json: { token, action: 'add-information', ...json } }),
        lambdaContext,
      ).then(parse);
    // Without afterSeq a retry could not be told from a second message: refused, saying what to send.
    const bare = await add({ text: 'The boiler is leaking now' });
    expect(bare).toMatchObject({ statusCode: 422, body: { error: 'INVALID_INPUT' } });
    expect(bare.body.message).toMatch(/afterSeq is required: send the case's seq \(case\.seq from GET/);
    expect(await events(caseId)).toHaveLength(1);

    const view = parse(
      await viewHandler(
        apiEvent({ pathParameters: { caseId }, queryStringParameters: { token } }),
        lambdaContext,
      ),
    );
    const afterSeq = (view.body.case as { seq: number }).seq;
    // The event is written, the projection's write fails: the resident is told to try again, and does.
    aws().dynamo.failNthWrite({ nth: 2, operation: 'PutItem', error: serverError });
    expectBusy(await add({ text: 'The boiler is leaking now', afterSeq }));
    expect((await add({ text: 'The boiler is leaking now', afterSeq })).statusCode).toBe(200);
    // A second message, written after the first was seen, is a new one.
    const seen = parse(
      await viewHandler(
        apiEvent({ pathParameters: { caseId }, queryStringParameters: { token } }),
        lambdaContext,
      ),
    );
    const later = await add({
      text: 'The boiler is leaking now',
      afterSeq: (seen.body.case as { seq: number }).seq,
    });
    expect(later.statusCode).toBe(200);
    const added = (await events(caseId)).filter((event) => event.type === 'related-issue-added');
    expect(added).toHaveLength(2);
  });
});
