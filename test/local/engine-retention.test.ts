import { afterEach, describe, expect, it, vi } from 'vitest';
import { FINISHED_EXECUTIONS_KEPT, LocalStepFunctions } from '../../infra/local/local-step-functions.ts';
import { WORKFLOW_FUNCTIONS } from '../../infra/local/system.ts';

/**
 * The local engine on the real ASL with scripted handlers: each case waits for triage (a callback task with a
 * one-day timeout), is answered, and closes. What the engine keeps must not grow with the cases that pass.
 */
function scriptedEngine() {
  const calls: Array<{ fn: string; caseId: string }> = [];
  const tokens = new Map<string, string>();
  const answered = new Set<string>();
  /** Cases whose next register-task attempt fails (the ASL retries it with a new token). */
  const failOnce = new Set<string>();
  const handlers = {
    // Each step sends the letters it owes and answers the case's position (none owed here).
    'local:record-receipt': async ({ caseId }: { caseId: string }) => {
      calls.push({ fn: 'record-receipt', caseId });
      return { caseId, step: 'triage', timeoutSeconds: 86_400, lettersOwed: 0 };
    },
    'local:send-notifications': async ({ caseId }: { caseId: string }) => {
      calls.push({ fn: 'send-notifications', caseId });
      return { caseId, step: answered.has(caseId) ? 'closed' : 'triage', timeoutSeconds: 86_400 };
    },
    'local:register-task': async ({ caseId, taskToken }: { caseId: string; taskToken: string }) => {
      calls.push({ fn: 'register-task', caseId });
      if (failOnce.delete(caseId)) {
        const error = new Error('the case moved while its task was stored');
        error.name = 'ConflictError';
        throw error;
      }
      tokens.set(caseId, taskToken);
      return {};
    },
    'local:check-deadline': async () => {
      throw new Error('no deadline falls due in these tests');
    },
    'local:close-case': async () => {
      throw new Error('cases close from triage in these tests');
    },
  };
  const sfn = new LocalStepFunctions(handlers as never, {
    substitutions: Object.fromEntries(Object.entries(WORKFLOW_FUNCTIONS).map(([key, [name]]) => [key, name])),
  });
  return { sfn, calls, tokens, answered, failOnce };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the local Step Functions engine', () => {
  it('answers StartExecution before the first state runs, then runs it', async () => {
    const { sfn, calls } = scriptedEngine();
    const started = await sfn.startExecution('case-1', { caseId: 'case-1' });
    expect(started.alreadyStarted).toBe(false);
    expect(calls).toEqual([]);
    expect(sfn.executionFor('case-1')?.status).toBe('RUNNING');
    await sfn.idle();
    expect(calls.slice(0, 2).map((call) => call.fn)).toEqual(['record-receipt', 'register-task']);
    sfn.abortAll();
  });

  it('closes the callback of a waiting task whose attempt failed: no callback, timer or live token left of it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { sfn, calls, tokens, failOnce } = scriptedEngine();
    failOnce.add('case-1');
    await sfn.startExecution('case-1', { caseId: 'case-1' });
    await sfn.idle();
    // The ASL's retry for ConflictError waits up to 2 s (full jitter) before the second attempt.
    await vi.advanceTimersByTimeAsync(2_000);
    await sfn.idle();
    expect(calls.filter((call) => call.fn === 'register-task')).toHaveLength(2);
    const retained = sfn.retained();
    expect(retained.callbacks).toBe(1);
    // Only the second attempt's two timeout timers (the interpreter's and ours) are pending.
    expect(vi.getTimerCount()).toBe(2);
    expect(retained.deadTokens).toBe(1);
    expect(sfn.executionFor('case-1')?.status).toBe('RUNNING');
    expect(tokens.get('case-1')).toBeDefined();
    sfn.abortAll();
  });

  it('keeps open executions and a bounded window of finished ones, with no dead tokens or timers left over', async () => {
    // Only the task timeout timers are faked, so the count of pending ones is observable.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { sfn, tokens, answered } = scriptedEngine();
    const cases = FINISHED_EXECUTIONS_KEPT * 3;
    for (let index = 0; index < cases; index++) {
      await sfn.startExecution(`case-${index}`, { caseId: `case-${index}` });
    }
    await sfn.idle();
    expect(tokens.size).toBe(cases);
    // Each waiting task has two timers: the interpreter's TimeoutSeconds and ours that kills the token first.
    expect(vi.getTimerCount()).toBe(2 * cases);
    // All but the last case are answered and close; the last stays open, waiting for triage.
    const closing = [...tokens].slice(0, -1);
    for (const [caseId, token] of closing) {
      answered.add(caseId);
      await sfn.sendTaskSuccess(token, { caseId, step: 'closed', lettersOwed: 0 });
    }
    await sfn.idle();

    const executions = sfn.listExecutions();
    expect(executions.filter((execution) => execution.status === 'SUCCEEDED')).toHaveLength(
      FINISHED_EXECUTIONS_KEPT,
    );
    expect(executions.filter((execution) => execution.status === 'RUNNING').map((e) => e.name)).toEqual([
      `case-${cases - 1}`,
    ]);
    // The newest finished executions are the ones kept, with their histories.
    expect(sfn.executionFor(`case-${cases - 2}`)?.history.length).toBeGreaterThan(0);
    expect(sfn.executionFor('case-0')).toBeUndefined();
    const retained = sfn.retained();
    expect(retained.executions).toBe(FINISHED_EXECUTIONS_KEPT + 1);
    expect(retained.callbacks).toBe(1);
    expect(retained.deadTokens).toBeLessThanOrEqual(FINISHED_EXECUTIONS_KEPT);
    // Only the open case's task timeout timers are still pending.
    expect(vi.getTimerCount()).toBe(2);
    // A token from a forgotten execution still gets the service's answer.
    await expect(sfn.sendTaskSuccess(closing[0]?.[1] ?? '', {})).rejects.toMatchObject({
      name: 'TaskNotOpenError',
    });
    sfn.abortAll();
  });
});
