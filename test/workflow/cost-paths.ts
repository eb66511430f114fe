import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import type { MiddlewareStack } from '@smithy/types';
import { actOnTask, recordCaseAction } from '#shared/usecases/actions.ts';
import { inDailyRun } from '../../infra/local/system.ts';
import { Harness, staff } from './harness.ts';

/**
 * The paths a complaint commonly takes, each driven end to end through the real ASL on the local runtime: the
 * transitions test counts what each costs, and `npm run bench:cost` prices it. Staff act at once (no time
 * passes between steps unless the path needs it), so no reminder or breach is part of a path's count.
 */
export interface CostPath {
  name: string;
  profile: string;
  run(h: Harness): Promise<string>;
}

/**
 * The driver's own reads (finding the open task, as a member of staff would on the queue, and reading the events
 * at the end) are not counted.
 */
const uncounted = new AsyncLocalStorage<true>();

/**
 * Whether a request or email is no part of the path: the driver's, or the daily run's (its digests and look for
 * owed callbacks are the same whatever the number of cases: a fixed cost, counted apart).
 */
export const notThePath = () => uncounted.getStore() === true || inDailyRun.getStore() === true;

async function act(
  h: Harness,
  caseId: string,
  actor: (typeof staff)[keyof typeof staff],
  action: Record<string, unknown>,
) {
  const task = await uncounted.run(true, () => h.openTask(caseId));
  await actOnTask(h.deps, task.taskId, actor, action);
  await h.system.settle();
}

async function throughStage1(h: Harness): Promise<string> {
  const { caseId } = await h.submit();
  await act(h, caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
  await act(h, caseId, staff.handler, h.acknowledgement(1));
  return caseId;
}

/** Triage that ends the case at once (not accepted, or a service request). */
async function closedAtTriage(h: Harness, triage: Record<string, unknown>): Promise<string> {
  const { caseId } = await h.submit();
  await act(h, caseId, staff.handler, triage);
  return caseId;
}

async function twoStages(h: Harness, finalExtra: Record<string, unknown> = {}): Promise<string> {
  const caseId = await throughStage1(h);
  await act(h, caseId, staff.handler, h.response(1));
  await act(h, caseId, staff.handler, { action: 'escalate' });
  await act(h, caseId, staff.reviewer, h.acknowledgement(2));
  await act(h, caseId, staff.reviewer, h.response(2, finalExtra));
  return caseId;
}

export const COST_PATHS: readonly CostPath[] = [
  { name: 'full two-stage', profile: 'code-baseline', run: (h) => twoStages(h) },
  {
    // Amplius gives residents 20 working days to ask for stage 2: none is asked for, the case closes after.
    name: 'closed at stage 1',
    profile: 'amplius',
    async run(h) {
      const caseId = await throughStage1(h);
      await act(h, caseId, staff.handler, h.response(1));
      await h.advanceTo('2026-03-31T09:00:00Z');
      return caseId;
    },
  },
  { name: 'not accepted', profile: 'code-baseline', run: (h) => closedAtTriage(h, h.notAccepted()) },
  { name: 'service request', profile: 'code-baseline', run: (h) => closedAtTriage(h, h.serviceRequest()) },
  {
    // Promised in the final response, due in 30 days: its owner is reminded, completes it, the case closes.
    name: 'one 30-day outstanding action',
    profile: 'code-baseline',
    async run(h) {
      const caseId = await twoStages(h, {
        outstandingActions: [
          { description: 'Replace the boiler', owner: 'Repairs team', dueDate: '2026-04-01' },
        ],
      });
      await h.advanceTo('2026-03-30T12:00:00Z');
      await recordCaseAction(h.deps, caseId, staff.handler, {
        action: 'complete-action',
        actionId: 'S2-1',
        note: 'New boiler fitted',
      });
      await h.advanceTo('2026-04-03T12:00:00Z');
      return caseId;
    },
  },
];

/** What one path cost, counted on the local runtime. */
export interface PathCount {
  /** Events recorded by a resident or staff (intake included): what the path is made of. */
  businessEvents: number;
  /** States entered and retried, as Step Functions bills them. */
  transitions: number;
  /** Task states entered and retried: one Lambda invocation each. */
  invocations: number;
  /** DynamoDB requests, by operation name. */
  dynamoCalls: Record<string, number>;
  caseId: string;
}

export type DynamoCall = {
  operation: string;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  /** The error's name when the request failed (ConditionalCheckFailedException for a refused conditional write). */
  failed?: string;
};

/** Records each request of the path the client sends (once it succeeds or fails), with its input and output. */
function recordDynamoCalls(client: { middlewareStack: unknown }): DynamoCall[] {
  const calls: DynamoCall[] = [];
  (client.middlewareStack as MiddlewareStack<object, object>).add(
    (next, context) => async (args) => {
      if (notThePath()) return next(args);
      const operation = String((context as { commandName?: string }).commandName ?? '').replace(
        /Command$/,
        '',
      );
      try {
        const result = await next(args);
        calls.push({
          operation,
          input: args.input as Record<string, unknown>,
          output: result.output as Record<string, unknown>,
        });
        return result;
      } catch (error) {
        calls.push({
          operation,
          input: args.input as Record<string, unknown>,
          output: {},
          failed: error instanceof Error ? error.name : 'Error',
        });
        throw error;
      }
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return calls;
}

/** Runs one path on a fresh local runtime and counts what it cost. */
export async function countPath(
  path: CostPath,
  observe?: (h: Harness, calls: DynamoCall[]) => void,
): Promise<PathCount> {
  const h = await Harness.start({ profile: path.profile });
  try {
    const calls = recordDynamoCalls(h.system.dynamo);
    observe?.(h, calls);
    const caseId = await path.run(h);
    await h.system.settle();
    const execution = h.execution(caseId);
    if (execution?.status !== 'SUCCEEDED') {
      throw new Error(`The ${path.name} path did not end: its execution is ${execution?.status}`);
    }
    const entered = execution.history.filter((e) => e.type === 'StateEntered' || e.type === 'StateRetried');
    const dynamoCalls: Record<string, number> = {};
    for (const call of calls) dynamoCalls[call.operation] = (dynamoCalls[call.operation] ?? 0) + 1;
    const events = await uncounted.run(true, () => h.events(caseId));
    return {
      caseId,
      businessEvents: events.filter((event) => event.by.kind !== 'system').length,
      transitions: entered.length,
      invocations: entered.filter((e) => TASK_STATES.has(e.state ?? '')).length,
      dynamoCalls,
    };
  } finally {
    await h.stop();
  }
}

/** The Task states of the machine: each entry (or retry) of one invokes a Lambda function. */
const TASK_STATES = new Set(
  Object.entries(
    (
      JSON.parse(readFileSync('statemachines/complaint.asl.json', 'utf8')) as {
        States: Record<string, { Type: string }>;
      }
    ).States,
  )
    .filter(([, state]) => state.Type === 'Task')
    .map(([name]) => name),
);
