import { describe, expect, it } from 'vitest';
import { taskActionHandler } from '#functions/api/staff-actions.ts';
import { caseHandler } from '#functions/api/staff-queries.ts';
import { dependencies } from '#functions/lib/config.ts';
import { handler as registerTask } from '#functions/workflow/register-task.ts';
import type { Step } from '#shared/domain/case.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { stageResponse } from '../support/fixtures.ts';
import { apiEvent, lambdaContext, parse, useLocalAws } from './setup.ts';

useLocalAws();

/** Mo, a manager (who may act on any task), as the claims of each kind of token Cognito issues for him. */
const MO_SUB = '5f0c1a2b-0000-4000-8000-00000000a11c';
const idToken = {
  sub: MO_SUB,
  token_use: 'id',
  aud: 'console-client',
  email: 'mo@landlord.example',
  email_verified: 'true',
  'cognito:groups': '[manager]',
};
/** The same account's ID token before the email was verified: no email to show, the same sub. */
const idTokenUnverified = { ...idToken, email_verified: 'false' };
/** The same account's access token: no email, no audience (client_id instead), token_use access. */
const accessToken = {
  sub: MO_SUB,
  token_use: 'access',
  client_id: 'console-client',
  scope: 'openid email',
  'cognito:groups': '[manager]',
};
/** Another manager, Rita: a different person. */
const otherPerson = {
  ...idToken,
  sub: '9a8b7c6d-0000-4000-8000-0000000b0b0b',
  email: 'rita@landlord.example',
};

async function openTask(caseId: string, step: Step): Promise<string> {
  await registerTask({ caseId, step, taskToken: `token-${step}-${caseId}` }, lambdaContext);
  const deps = await dependencies();
  const task = (await deps.repository.tasksForCase(caseId)).find((candidate) => candidate.status === 'open');
  if (task?.step !== step) throw new Error(`no open ${step} task`);
  return task.taskId;
}

async function act(caseId: string, step: Step, claims: Record<string, unknown>, action: unknown) {
  return parse(
    await taskActionHandler(
      apiEvent({ pathParameters: { taskId: await openTask(caseId, step) }, json: action, claims }),
      lambdaContext,
    ),
  );
}

/** A case Mo handled at stage 1 (with his ID token), now waiting for a stage 2 acknowledgement. */
async function caseMoHandledAtStage1(): Promise<string> {
  const deps = await dependencies();
  const { caseId } = await submitComplaint(
    deps,
    {
      complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
      complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' },
    },
    'identity-0001',
    { kind: 'resident', id: 'web-form' },
  );
  expect((await act(caseId, 'triage', idToken, { action: 'triage', outcome: 'complaint' })).statusCode).toBe(
    200,
  );
  const acknowledged = await act(caseId, 'stage1-acknowledgement', idToken, {
    action: 'acknowledge',
    definition: 'Delay repairing the boiler',
    outcomesSought: ['Fix the boiler'],
  });
  expect(acknowledged.statusCode).toBe(200);
  const { stage: _stage, ...letter } = stageResponse(deps.context.profile, 1);
  expect((await act(caseId, 'stage1-response', idToken, { action: 'respond', ...letter })).statusCode).toBe(
    200,
  );
  expect((await act(caseId, 'escalation-window', idToken, { action: 'escalate' })).statusCode).toBe(200);
  await openTask(caseId, 'stage2-acknowledgement');
  return caseId;
}

const acknowledgeStage2 = {
  action: 'acknowledge',
  definition: 'The boiler is still broken',
  outcomesSought: ['Fix the boiler'],
};

describe('staff identity is the Cognito sub (Code 6.13 cannot be dodged by changing token)', () => {
  it('records the sub with the email beside it, and refuses the same sub at stage 2 whatever its email', async () => {
    const caseId = await caseMoHandledAtStage1();
    const view = parse(
      await caseHandler(apiEvent({ pathParameters: { caseId }, claims: idToken }), lambdaContext),
    );
    const { state, events } = view.body as {
      state: { stage1: { handlers: string[] }; staff: Record<string, string> };
      events: Array<{ type: string; by: Record<string, unknown> }>;
    };
    expect(state.stage1.handlers).toEqual([MO_SUB]);
    expect(state.staff).toEqual({ [MO_SUB]: 'mo@landlord.example' });
    expect(events.find((event) => event.type === 'response-issued')?.by).toEqual({
      kind: 'staff',
      id: MO_SUB,
      role: 'manager',
      email: 'mo@landlord.example',
    });

    // Before: the unverified token made Mo "5f0c…" instead of "mo@landlord.example", a second person.
    const sameSub = await act(caseId, 'stage2-acknowledgement', idTokenUnverified, acknowledgeStage2);
    expect(sameSub.statusCode).toBe(403);
    expect(sameSub.body).toMatchObject({ error: 'SAME_HANDLER' });
    expect(String(sameSub.body.message)).toContain('Code 6.13');

    const someoneElse = await act(caseId, 'stage2-acknowledgement', otherPerson, acknowledgeStage2);
    expect(someoneElse.statusCode).toBe(200);
  });

  it('refuses an access token on the API: only ID tokens name a member of staff', async () => {
    const caseId = await caseMoHandledAtStage1();
    const withAccessToken = await act(caseId, 'stage2-acknowledgement', accessToken, acknowledgeStage2);
    expect(withAccessToken.statusCode).toBe(403);
    expect(withAccessToken.body).toMatchObject({ error: 'FORBIDDEN' });
    expect(String(withAccessToken.body.message)).toMatch(/ID token.*access tokens are not accepted/);
    const query = parse(
      await caseHandler(apiEvent({ pathParameters: { caseId }, claims: accessToken }), lambdaContext),
    );
    expect(query.statusCode).toBe(403);
  });
});
