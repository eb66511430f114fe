import { describe, expect, it } from 'vitest';
import { applyCaseEvent, type CaseState, type CaseStatus } from '#shared/domain/case.ts';
import { deadlineStatus } from '#shared/domain/work-queue.ts';
import type { CaseRepository, TaskRecord } from '#shared/ports/case-repository.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { staffQueue, UNASSIGNED } from '#shared/usecases/staff-queue.ts';
import { baselineContext, received } from '../support/fixtures.ts';

const NOW = new Date('2026-03-10T10:00:00Z'); // a Tuesday
const context = baselineContext();

function aCase(caseId: string, status: CaseStatus, handler?: { id: string; email: string }): CaseState {
  const state = applyCaseEvent(undefined, received('2026-03-02T10:00:00Z'), context, caseId);
  return {
    ...state,
    reference: `REF-${caseId}`,
    status,
    stage: 1,
    stage1: { ...state.stage1, handlers: handler ? [handler.id] : [] },
    staff: handler ? { [handler.id]: handler.email } : {},
  };
}

function aTask(taskId: string, caseId: string, step: TaskRecord['step'], dueAt?: string): TaskRecord {
  return {
    taskId,
    caseId,
    reference: `REF-${caseId}`,
    step,
    role: 'handler',
    token: `secret-token-${taskId}`,
    status: 'open',
    createdAt: '2026-03-02T10:00:00Z',
    ...(dueAt ? { dueAt } : {}),
  };
}

/** An in-memory repository with only the reads the queue makes, counting each. */
function fakeRepository(cases: CaseState[], tasks: TaskRecord[]) {
  const calls: string[] = [];
  const repository: Partial<CaseRepository> = {
    async queue(role) {
      calls.push(`queue ${role}`);
      return tasks.filter((task) => task.role === role);
    },
    async listByStatus(status) {
      calls.push(`listByStatus ${status}`);
      return cases.filter((state) => state.status === status);
    },
    async getProjection(caseId) {
      calls.push(`getProjection ${caseId}`);
      return cases.find((state) => state.caseId === caseId);
    },
    async getProjections(caseIds) {
      calls.push(`getProjections ${[...caseIds].sort().join(',')}`);
      return cases.filter((state) => caseIds.includes(state.caseId));
    },
  };
  const deps = {
    repository: repository as CaseRepository,
    context,
    clock: { now: () => NOW },
  } as AppDependencies;
  return { deps, calls };
}

const HANNAH = { id: 'sub-hannah', email: 'hannah@landlord.example' };

describe('staffQueue', () => {
  it("reads the cases' assignees in one batched read, never one read per task, and never returns a token", async () => {
    // Prepare: two tasks on one case awaiting triage (no actions possible, so not listed for them), one on another.
    const cases = [aCase('c1', 'awaiting-triage', HANNAH), aCase('c2', 'stage1-acknowledgement')];
    const tasks = [
      aTask('t1', 'c1', 'triage', '2026-03-12T23:59:59.999Z'),
      aTask('t2', 'c1', 'triage', '2026-03-09T23:59:59.999Z'),
      aTask('t3', 'c2', 'stage1-acknowledgement'),
    ];
    const { deps, calls } = fakeRepository(cases, tasks);

    // Act
    const queue = await staffQueue(deps, { role: 'handler', viewerId: 'sub-someone' });

    // Assess
    expect(calls.filter((call) => call.startsWith('getProjection'))).toEqual(['getProjections c1,c2']);
    expect(queue.tasks.map((task) => [task.taskId, task.assignee, task.deadline.status])).toEqual([
      ['t2', HANNAH.id, 'overdue'],
      ['t1', HANNAH.id, 'due-soon'],
      ['t3', undefined, 'no-deadline'],
    ]);
    expect(queue.tasks[0]?.assigneeEmail).toBe(HANNAH.email);
    expect(JSON.stringify(queue)).not.toContain('secret-token');
    expect(queue.assignees).toEqual([{ id: HANNAH.id, email: HANNAH.email }, { id: UNASSIGNED }]);
  });

  it('takes the assignee a task carries without reading its case; a task stored without one reads its case', async () => {
    // Prepare: c1's task carries its assignment (Hannah's), c2's an unassigned one; c3's task predates them
    const cases = [
      aCase('c1', 'awaiting-triage', HANNAH),
      aCase('c2', 'awaiting-triage'),
      aCase('c3', 'awaiting-triage', HANNAH),
    ];
    const tasks = [
      {
        // Not yet overdue: an overdue task's case is read for the date its resident was promised.
        ...aTask('t1', 'c1', 'triage', '2026-03-12T23:59:59.999Z'),
        assignedSeq: 4,
        assignee: HANNAH.id,
        assigneeEmail: HANNAH.email,
      },
      { ...aTask('t2', 'c2', 'triage', '2026-03-13T23:59:59.999Z'), assignedSeq: 1 },
      aTask('t3', 'c3', 'triage', '2026-03-16T23:59:59.999Z'),
    ];
    const { deps, calls } = fakeRepository(cases, tasks);

    // Act
    const queue = await staffQueue(deps, { role: 'handler', viewerId: 'sub-someone' });

    // Assess
    expect(calls.filter((call) => call.startsWith('getProjection'))).toEqual(['getProjections c3']);
    expect(queue.tasks.map((task) => [task.taskId, task.assignee, task.assigneeEmail])).toEqual([
      ['t1', HANNAH.id, HANNAH.email],
      ['t2', undefined, undefined],
      ['t3', HANNAH.id, HANNAH.email],
    ]);
    expect(queue.tasks.map((task) => Object.keys(task))).not.toContainEqual(
      expect.arrayContaining(['assignedSeq']),
    );
  });

  it("reads an overdue task's case for the date its resident was promised; status and order stay on the missed date", async () => {
    // Prepare: c1's deadline was missed and its breach gave a new date; c2's was missed before breaches kept one
    // (an old projection); c3's is not yet due. Every task carries its assignment.
    const missed = '2026-03-09T23:59:59.999Z';
    const earlier = '2026-03-06T23:59:59.999Z';
    const breach = (state: CaseState, dueAt: string, newDueDate?: string): CaseState => ({
      ...state,
      breaches: [
        {
          step: 'triage',
          dueAt,
          at: '2026-03-10T00:00:00.100Z',
          ...(newDueDate ? { newDueDate } : {}),
        },
      ],
    });
    const cases = [
      breach(aCase('c1', 'awaiting-triage'), missed, '2026-03-16'),
      breach(aCase('c2', 'awaiting-triage'), earlier),
      aCase('c3', 'awaiting-triage'),
    ];
    const carried = { assignedSeq: 1 };
    const tasks = [
      { ...aTask('t3', 'c3', 'triage', '2026-03-11T23:59:59.999Z'), ...carried },
      { ...aTask('t1', 'c1', 'triage', missed), ...carried },
      { ...aTask('t2', 'c2', 'triage', earlier), ...carried },
    ];
    const { deps, calls } = fakeRepository(cases, tasks);

    // Act
    const queue = await staffQueue(deps, { role: 'handler', viewerId: 'sub-someone' });

    // Assess: one batched read of the overdue tasks' cases only
    expect(calls.filter((call) => call.startsWith('getProjection'))).toEqual(['getProjections c1,c2']);
    expect(queue.tasks.map((task) => [task.taskId, task.deadline.status, task.promisedDate])).toEqual([
      ['t2', 'overdue', undefined],
      ['t1', 'overdue', '2026-03-16'],
      ['t3', 'due-soon', undefined],
    ]);
  });

  it('filters tasks and outstanding actions by deadline status and assignee; a stage filter keeps the actions', async () => {
    // Prepare
    const withAction: CaseState = {
      ...aCase('c3', 'stage1-investigation', HANNAH),
      actions: [
        {
          actionId: 'A1',
          description: 'Fix the boiler',
          owner: 'Repairs',
          dueDate: '2026-03-30',
          addedAt: '2026-03-03T10:00:00Z',
        },
      ],
    };
    const cases = [aCase('c1', 'awaiting-triage'), withAction];
    const tasks = [
      aTask('t1', 'c1', 'triage', '2026-03-09T23:59:59.999Z'),
      aTask('t3', 'c3', 'stage1-response', '2026-03-30T23:59:59.999Z'),
    ];
    const { deps, calls } = fakeRepository(cases, tasks);

    // Act
    const mine = await staffQueue(deps, { role: 'handler', assignee: 'me', viewerId: HANNAH.id });
    const nobodys = await staffQueue(deps, { role: 'handler', assignee: UNASSIGNED, viewerId: HANNAH.id });
    const onTrack = await staffQueue(deps, { role: 'handler', status: 'on-track', viewerId: HANNAH.id });
    const triage = await staffQueue(deps, { role: 'handler', stage: 'triage', viewerId: HANNAH.id });
    const reviewer = await staffQueue(deps, { role: 'reviewer', viewerId: HANNAH.id });

    // Assess
    expect(mine.tasks.map((task) => task.taskId)).toEqual(['t3']);
    expect(mine.actions.map((action) => [action.actionId, action.assigneeEmail])).toEqual([
      ['A1', HANNAH.email],
    ]);
    expect(nobodys.tasks.map((task) => task.taskId)).toEqual(['t1']);
    expect(nobodys.actions).toEqual([]);
    expect(onTrack.tasks.map((task) => task.taskId)).toEqual(['t3']);
    expect(onTrack.actions.map((action) => action.deadline)).toEqual([
      { status: 'on-track', workingDaysLeft: 14 },
    ]);
    expect(triage.tasks.map((task) => task.taskId)).toEqual(['t1']);
    expect(triage.actions.map((action) => action.actionId)).toEqual(['A1']);
    // The case listed for its actions is not read again for its task's assignee.
    expect(calls).toContain('getProjections c1');
    expect(reviewer.actions).toEqual([]);
  });
});

describe('deadlineStatus', () => {
  const { calendar } = context.clocks;
  it('is due soon within the reminder lead in working days, over a weekend', () => {
    // Friday 13 March is 3 working days after Tuesday 10 March; Monday 16 March is 4.
    expect(deadlineStatus('2026-03-13T23:59:59.999Z', NOW, calendar, 3)).toEqual({
      status: 'due-soon',
      workingDaysLeft: 3,
    });
    expect(deadlineStatus('2026-03-16T23:59:59.999Z', NOW, calendar, 3)).toEqual({
      status: 'on-track',
      workingDaysLeft: 4,
    });
    expect(deadlineStatus('2026-03-10T23:59:59.999Z', NOW, calendar, 0)).toEqual({
      status: 'due-soon',
      workingDaysLeft: 0,
    });
    expect(deadlineStatus('2026-03-10T09:59:59.999Z', NOW, calendar, 3)).toEqual({ status: 'overdue' });
    expect(deadlineStatus(undefined, NOW, calendar, 3)).toEqual({ status: 'no-deadline' });
  });
});

describe('the queue at scale', () => {
  it('counts working days once per due date, not once per task, with the same statuses', async () => {
    // Prepare: 60 tasks on 60 cases sharing three due dates, and a calendar that counts its day-counting.
    const dueDates = ['2026-03-12T23:59:59.999Z', '2026-03-16T23:59:59.999Z', '2026-03-20T23:59:59.999Z'];
    const cases = Array.from({ length: 60 }, (_, index) => aCase(`c${index}`, 'awaiting-triage'));
    const tasks = cases.map((state, index) =>
      aTask(`t${index}`, state.caseId, 'triage', dueDates[index % dueDates.length]),
    );
    const { deps } = fakeRepository(cases, tasks);
    const { calendar } = context.clocks;
    let counted = 0;
    const counting = {
      ...calendar,
      workingDaysBetween: (from: string, to: string) => {
        counted++;
        return calendar.workingDaysBetween(from, to);
      },
    };
    const lead = context.profile.reminderLeadWorkingDays;

    // Act
    const queue = await staffQueue(
      { ...deps, context: { ...context, clocks: { ...context.clocks, calendar: counting } } },
      { role: 'handler', viewerId: 'sub-hannah' },
    );

    // Assert: every task listed with the status deadlineStatus gives it, from three countings.
    expect(queue.tasks).toHaveLength(60);
    for (const task of queue.tasks) {
      expect(task.deadline).toEqual(deadlineStatus(task.dueAt, NOW, calendar, lead));
    }
    expect(counted).toBe(dueDates.length);
  });
});
