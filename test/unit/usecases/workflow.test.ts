import { describe, expect, it, vi } from 'vitest';
import type { Step } from '#shared/domain/case.ts';
import { actOnTask } from '#shared/usecases/actions.ts';
import { recordEvent } from '#shared/usecases/case-log.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { registerTask } from '#shared/usecases/workflow.ts';
import { fakeDependencies } from '../../support/fakes/dependencies.ts';

const resident = { kind: 'resident', id: 'web-form' } as const;
const complaint = {
  complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
  complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' },
} as const;

describe('registerTask', () => {
  it('sends the letters owed and goes on from the case its last letter left: one read before, one after storing the task', async () => {
    // Prepare: a new case, its receipt owed
    const { deps, mailer } = fakeDependencies();
    const { caseId } = await submitComplaint(deps, complaint, 'key-1', resident);
    const reads = vi.spyOn(deps.repository, 'getProjection');

    // Act
    const registered = await registerTask(deps, { caseId, step: 'triage', token: 'token-1' });

    // Assess
    expect(registered.completedAtOnce).toBe(false);
    expect(mailer.to('ada@resident.example')).toHaveLength(1);
    expect(reads).toHaveBeenCalledTimes(2);
  });
});

describe("a task's assignee (kept on the task for the staff queue)", () => {
  const hannah = {
    kind: 'staff',
    id: 'sub-hannah',
    role: 'handler',
    email: 'hannah@landlord.example',
  } as const;
  const harry = { kind: 'staff', id: 'sub-harry', role: 'handler', email: 'harry@landlord.example' } as const;

  /** A case acknowledged by Hannah (so hers), waiting on its stage 1 response, with that task open. */
  async function caseAwaitingResponse() {
    const fakes = fakeDependencies();
    const { deps } = fakes;
    const { caseId } = await submitComplaint(deps, complaint, 'key-1', resident);
    const open = async (step: Step) => {
      await registerTask(deps, { caseId, step, token: `token-${step}` });
      const task = (await deps.repository.tasksForCase(caseId)).find((t) => t.status === 'open');
      if (task?.step !== step) throw new Error(`no open ${step} task`);
      return task;
    };
    await actOnTask(deps, (await open('triage')).taskId, hannah, { action: 'triage', outcome: 'complaint' });
    await actOnTask(deps, (await open('stage1-acknowledgement')).taskId, hannah, {
      action: 'acknowledge',
      definition: 'Delay repairing the boiler',
      outcomesSought: ['Fix the boiler'],
    });
    const task = await open('stage1-response');
    return { ...fakes, caseId, task };
  }

  /** Harry extends the response deadline: he is now the last to act on stage 1, so the case is his. */
  function harryExtends(deps: AppDependencies, caseId: string) {
    return recordEvent(deps, caseId, (_state, at) => ({
      type: 'extension-granted',
      at,
      by: harry,
      stage: 1,
      workingDays: 5,
      reason: deps.context.clocks.stagePolicy(1).extension.allowedReasons[0] ?? '',
      explanation: 'The contractor has not reported back',
    }));
  }

  it('is stored with the task and follows an event that changes it, so the queue need not read the case', async () => {
    // Prepare
    const { deps, caseId, task } = await caseAwaitingResponse();
    expect(task).toMatchObject({ assignee: hannah.id, assigneeEmail: hannah.email });

    // Act
    await harryExtends(deps, caseId);

    // Assess
    expect(await deps.repository.getTask(task.taskId)).toMatchObject({
      assignee: harry.id,
      assigneeEmail: harry.email,
    });
  });

  it.each([
    ['before', 'the task is stored'],
    ['after', 'the task is stored'],
  ])(
    'is not left stale when the case is reassigned while its task is re-registered (a reminder), %s %s',
    async (when) => {
      // Prepare: the re-registration has read the case (Hannah's) when Harry's event lands
      const { deps, caseId, task } = await caseAwaitingResponse();
      const putTask = deps.repository.putTask.bind(deps.repository);
      deps.repository.putTask = async (record) => {
        if (when === 'before') await harryExtends(deps, caseId);
        await putTask(record);
        if (when === 'after') await harryExtends(deps, caseId);
      };

      // Act
      const { taskId } = await registerTask(deps, {
        caseId,
        step: 'stage1-response',
        token: 'token-reminded',
      });

      // Assess
      expect(taskId).toBeDefined();
      expect(taskId).not.toBe(task.taskId);
      expect(await deps.repository.getTask(taskId ?? '')).toMatchObject({
        status: 'open',
        assignee: harry.id,
        assigneeEmail: harry.email,
      });
    },
  );
});
