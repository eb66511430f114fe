import { describe, expect, it, vi } from 'vitest';
import type { Step } from '#shared/domain/case.ts';
import { actOnTask } from '#shared/usecases/actions.ts';
import { loadCase, recordEvent, saveFolded } from '#shared/usecases/case-log.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { staffCaseView } from '#shared/usecases/staff-case.ts';
import { currentPosition, registerTask } from '#shared/usecases/workflow.ts';
import type { InMemoryCaseRepository } from '../../support/fakes/case-repository.ts';
import { fakeDependencies } from '../../support/fakes/dependencies.ts';
import { interleaveAtCall } from '../../support/races.ts';

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
    // The task is marked on the case before the second read (so an assignment saved after the read finds it).
    const marks = vi.spyOn(deps.repository, 'markOpenTask');

    // Act
    const registered = await registerTask(deps, { caseId, step: 'triage', token: 'token-1' });

    // Assess
    expect(registered.completedAtOnce).toBe(false);
    expect(mailer.to('ada@resident.example')).toHaveLength(1);
    expect(reads).toHaveBeenCalledTimes(2);
    expect(marks).toHaveBeenCalledTimes(1);
    expect(marks.mock.invocationCallOrder[0]).toBeLessThan(reads.mock.invocationCallOrder[1] ?? 0);
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

  /**
   * DynamoDB's global indexes lag their items: a case's task list (gsi2) can miss a task stored a moment before.
   * Here it misses every task stored from now on (the worst a lag can do while the two sides run).
   */
  function indexLags(repository: InMemoryCaseRepository) {
    const unindexed = new Set<string>();
    const putTask = repository.putTask.bind(repository);
    const tasksForCase = repository.tasksForCase.bind(repository);
    repository.putTask = async (task) => {
      await putTask(task);
      unindexed.add(task.taskId);
    };
    repository.tasksForCase = async (caseId) =>
      (await tasksForCase(caseId)).filter((task) => !unindexed.has(task.taskId));
  }

  /** Who the staff queue shows on the case's open tasks, read from the tasks as the queue reads them. */
  async function queuedAssignees(repository: InMemoryCaseRepository, caseId: string) {
    return (await repository.queue('handler'))
      .filter((task) => task.caseId === caseId)
      .map((task) => ({ assignee: task.assignee, assigneeEmail: task.assigneeEmail }));
  }

  const sides = ['the assignment', 'the registration'] as const;

  it.each(sides)(
    'ends with the new assignee on the queued task in every order, the index lagging, with %s paused at each of its calls',
    async (paused) => {
      const stale: string[] = [];
      const orders: string[] = [];
      for (let nth = 1; ; nth++) {
        // Prepare: Hannah's case waits on its response; its task is re-registered (a reminder) while Harry
        // extends the deadline, which makes the case his
        const { deps, repository, caseId } = await caseAwaitingResponse();
        indexLags(repository);
        const assign = (on: AppDependencies) => harryExtends(on, caseId);
        const register = (on: AppDependencies) =>
          registerTask(on, { caseId, step: 'stage1-response', token: 'token-reminded' });
        const race =
          paused === 'the assignment'
            ? interleaveAtCall(repository, nth, () => register(deps))
            : interleaveAtCall(repository, nth, () => assign(deps));

        // Act: one side runs, the other runs whole at its nth repository call
        await (paused === 'the assignment' ? assign : register)({ ...deps, repository: race.wrapped });
        if (!race.settled()) break;

        // Assess
        expect(race.settled()?.status).toBe('fulfilled');
        orders.push(race.calls()[nth - 1] ?? '');
        const queued = await queuedAssignees(repository, caseId);
        const pausedAt = race.calls()[nth - 1];
        expect(queued, `paused at call ${nth} (${pausedAt})`).toHaveLength(1);
        if (queued[0]?.assignee !== harry.id || queued[0]?.assigneeEmail !== harry.email) {
          stale.push(`paused at call ${nth} (${pausedAt}): the queue shows ${queued[0]?.assignee}`);
        }
      }
      expect(stale).toEqual([]);
      // Every point each side reaches the table was tried: the assignment's read, event, projection, look for
      // the marked task and its update; the registration's read, task list, supersede, store, mark and re-read.
      expect(orders).toEqual(
        paused === 'the assignment'
          ? ['getProjection', 'appendEvent', 'saveProjection', 'openTaskOf', 'assignTask']
          : ['getProjection', 'tasksForCase', 'closeTask', 'putTask', 'markOpenTask', 'getProjection'],
      );
    },
  );

  it.each([
    ['its update of the task fails after the projection is saved', 'assignTask'],
    ['its projection write fails after the event is written', 'saveProjection'],
  ] as const)(
    'is put right by the next read of the case when an assignment stops part-way: %s',
    async (_, fails) => {
      // Prepare: Harry's extension is recorded, then the write stops
      const { deps, repository, caseId, task } = await caseAwaitingResponse();
      const original = repository[fails].bind(repository) as (...args: unknown[]) => Promise<unknown>;
      let failed = false;
      repository[fails] = (async (...args: unknown[]) => {
        if (failed) return original(...args);
        failed = true;
        throw new Error('Lambda timed out');
      }) as never;
      await expect(harryExtends(deps, caseId)).rejects.toThrow(/timed out/);
      expect(await queuedAssignees(repository, caseId)).toEqual([
        { assignee: hannah.id, assigneeEmail: hannah.email },
      ]);

      // Act: staff open the case
      const view = await staffCaseView(deps, caseId);

      // Assess
      expect(view.tasks.map((open) => open.taskId)).toContain(task.taskId);
      expect(await queuedAssignees(repository, caseId)).toEqual([
        { assignee: harry.id, assigneeEmail: harry.email },
      ]);
    },
  );
  it('is not looked for once the case waits on no task: the mark still names the task that ended', async () => {
    // Prepare: Hannah ends the case at triage (a service request); the mark still names the triage task
    const { deps } = fakeDependencies();
    const { caseId } = await submitComplaint(deps, complaint, 'key-1', resident);
    const { taskId } = await registerTask(deps, { caseId, step: 'triage', token: 'token-triage' });
    await actOnTask(deps, taskId ?? '', hannah, {
      action: 'triage',
      outcome: 'service-request',
      notes: 'Engineer booked for Thursday 5 March',
    });
    expect(await deps.repository.openTaskOf(caseId)).toBe(taskId);
    expect(['ready-to-close', 'closed']).toContain((await currentPosition(deps, caseId)).step);
    const looks = vi.spyOn(deps.repository, 'openTaskOf');
    const updates = vi.spyOn(deps.repository, 'assignTask');

    // Act: a write that gives the case's task its assignee (a rebuild of the projection always does)
    await saveFolded(deps, (await loadCase(deps, caseId)).state);

    // Assess: no read of the mark, no update refused by the ended task
    expect(looks).not.toHaveBeenCalled();
    expect(updates).not.toHaveBeenCalled();
  });
});
