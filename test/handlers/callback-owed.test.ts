import { InternalServerError } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { actionHandler, viewHandler } from '#functions/api/resident.ts';
import { taskActionHandler } from '#functions/api/staff-actions.ts';
import { dependencies } from '#functions/lib/config.ts';
import { handler as registerTask } from '#functions/workflow/register-task.ts';
import { signCaseLink } from '#shared/domain/secrets.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { capturedOutput, jsonLines } from '../support/output.ts';
import { apiEvent, lambdaContext, parse, staffClaims, useLocalAws } from './setup.ts';

/**
 * A staff action whose Step Functions callback is refused past the adapter's retries: the action stands and
 * is answered as recorded, an operator can see it (a warning without the token, and the `CallbackOwed`
 * metric the `callbacks-owed` alarm watches), and the case says how it will catch up, even when the mark
 * that queues the callback for a resend cannot be written either.
 */
const aws = useLocalAws();

// As long as a real task token, so that the log's redaction is what keeps it out (not its shortness).
const TOKEN = `AQCEAAAAKgAAAAMAAAAAAAAAA${'x7Yq'.repeat(30)}`;

const refused = () =>
  Object.assign(new Error(`Rate exceeded for task ${TOKEN}`), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: {},
  });

async function triageTask() {
  const deps = await dependencies();
  const { caseId } = await submitComplaint(
    deps,
    {
      complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
      complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' },
    },
    `owed-${Math.random().toString(36).slice(2)}`,
    { kind: 'resident', id: 'web-form' },
  );
  await registerTask({ caseId, step: 'triage', taskToken: TOKEN }, lambdaContext);
  const task = (await deps.repository.tasksForCase(caseId)).find((t) => t.status === 'open');
  if (!task) throw new Error('no open triage task');
  return { caseId, taskId: task.taskId };
}

async function triage(taskId: string) {
  let response: ReturnType<typeof parse> | undefined;
  const output = await capturedOutput(async () => {
    response = parse(
      await taskActionHandler(
        apiEvent({
          pathParameters: { taskId },
          json: { action: 'triage', outcome: 'complaint' },
          claims: staffClaims('handler'),
        }),
        lambdaContext,
      ),
    );
  });
  const lines = jsonLines(output);
  if (!response) throw new Error('no response');
  return { response, output, lines };
}

describe('a callback Step Functions refuses', () => {
  it('is logged as a warning without its token and counted as CallbackOwed, and the answer says the case will catch up', async () => {
    const { caseId, taskId } = await triageTask();
    aws().sfn.on(SendTaskSuccessCommand).rejects(refused());
    const { response, output, lines } = await triage(taskId);

    expect(response.statusCode).toBe(200);
    expect(response.body.workflow).toMatch(/^Recorded\. .*next daily run/);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'Callback refused: marked owed, to be sent again',
        caseId,
        taskId,
        step: 'triage',
        errorName: 'ThrottlingException',
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ CallbackOwed: 1, Outcome: 'owed' }));
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain(TOKEN.slice(0, 40));
  });

  it('when the owed mark cannot be written either: the action is still answered as recorded, with when it will catch up', async () => {
    const { caseId, taskId } = await triageTask();
    aws().sfn.on(SendTaskSuccessCommand).rejects(refused());
    // The task's writes in the action: its claim, then the mark (the case's other items are written between).
    aws().dynamo.failNthWrite({
      operation: 'UpdateItem',
      keyPrefix: 'TASK#',
      nth: 2,
      error: () => new InternalServerError({ message: 'Internal server error', $metadata: {} }),
    });
    const { response, output, lines } = await triage(taskId);

    expect(response.statusCode).toBe(200);
    expect(response.body.workflow).toMatch(/^Recorded\. .*next deadline check/);
    expect(response.body.position).toMatchObject({ step: 'stage1-acknowledgement' });
    const deps = await dependencies();
    // The receipt went when the triage task was registered (each step sends the letters it owes).
    expect((await deps.repository.loadEvents(caseId)).map((event) => event.type)).toEqual([
      'received',
      'correspondence-sent',
      'triaged',
    ]);
    // Not marked (the write failed): no resend will find it, so the warning and the count say so.
    expect(await deps.repository.getTask(taskId)).toMatchObject({ status: 'done' });
    expect((await deps.repository.getTask(taskId))?.callbackOwedSince).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'Callback refused and not marked owed: the step moves on at its deadline check',
        caseId,
        taskId,
        refusedBy: 'ThrottlingException',
        errorName: 'InternalServerError',
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ CallbackOwed: 1, Outcome: 'unmarked' }));
    expect(output).not.toContain(TOKEN.slice(0, 40));
  });
});

describe('a resident withdrawing or escalating when the open tasks cannot be closed', () => {
  const serverError = () => new InternalServerError({ message: 'Internal server error', $metadata: {} });

  async function withdraw(caseId: string) {
    const deps = await dependencies();
    const token = signCaseLink(deps.secrets.linkSigningKey, caseId, new Date(Date.now() + 86_400_000));
    let response: ReturnType<typeof parse> | undefined;
    const output = await capturedOutput(async () => {
      response = parse(
        await actionHandler(
          apiEvent({ pathParameters: { caseId }, json: { token, action: 'withdraw' } }),
          lambdaContext,
        ),
      );
    });
    const lines = jsonLines(output);
    if (!response) throw new Error('no response');
    return { response, lines, token };
  }

  it('answers that it is done, marks the task owed, and the next look at the case closes it and sends the callback', async () => {
    const { caseId, taskId } = await triageTask();
    // The withdrawal's event and projection are written; closing the task (its first write) fails.
    aws().dynamo.failNthWrite({ operation: 'UpdateItem', keyPrefix: 'TASK#', error: serverError });
    const { response, lines, token } = await withdraw(caseId);

    expect(response).toMatchObject({ statusCode: 200, body: { status: 'closed' } });
    const deps = await dependencies();
    expect(await deps.repository.getTask(taskId)).toMatchObject({
      status: 'open',
      callbackOwedSince: expect.any(String),
    });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'Tasks not closed: marked owed, to be closed and sent again',
        caseId,
        errorName: 'InternalServerError',
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ CallbackOwed: 1, Outcome: 'owed' }));
    expect(aws().sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);

    // The resident (or anyone) opens the case: the task is closed and the workflow told where the case is.
    const view = parse(
      await viewHandler(
        apiEvent({ pathParameters: { caseId }, queryStringParameters: { token } }),
        lambdaContext,
      ),
    );
    expect(view.statusCode).toBe(200);
    const task = await deps.repository.getTask(taskId);
    expect(task).toMatchObject({ status: 'done' });
    expect(task?.callbackOwedSince).toBeUndefined();
    const sent = aws().sfn.commandCalls(SendTaskSuccessCommand);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.args[0].input).toMatchObject({ taskToken: TOKEN });
    expect(JSON.parse(String(sent[0]?.args[0].input.output))).toMatchObject({ step: 'closed' });
    expect(await deps.repository.owedCallbacks(caseId)).toEqual([]);
  });

  it('when the mark cannot be written either: still answered as done, and the warning says the deadline check moves it on', async () => {
    const { caseId, taskId } = await triageTask();
    aws().dynamo.failNthWrite({ operation: 'UpdateItem', keyPrefix: 'TASK#', error: serverError });
    aws().dynamo.failNthWrite({ operation: 'UpdateItem', keyPrefix: 'TASK#', nth: 2, error: serverError });
    const { response, lines } = await withdraw(caseId);

    expect(response).toMatchObject({ statusCode: 200, body: { status: 'closed' } });
    const deps = await dependencies();
    expect((await deps.repository.loadEvents(caseId)).map((event) => event.type)).toContain('withdrawn');
    expect((await deps.repository.getTask(taskId))?.callbackOwedSince).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'Tasks not closed and not marked owed: the step moves on at its deadline check',
        caseId,
        refusedBy: 'InternalServerError',
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ CallbackOwed: 1, Outcome: 'unmarked' }));
  });
});
