import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import { TaskNotOpenError } from '#shared/domain/errors.ts';
import type { WorkflowEngine } from '#shared/ports/workflow-engine.ts';
import { installPromiseWithResolvers } from './node20-shims.ts';

installPromiseWithResolvers();

export const ASL_PATH = new URL('../../statemachines/complaint.asl.json', import.meta.url);

type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;
type AslState = Record<string, unknown> & {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
};
type AslDefinition = { StartAt: string; States: Record<string, AslState> };

export interface ExecutionRecord {
  executionArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startDate: Date;
  stopDate?: Date;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  history: Array<{ type: string; state?: string; at: string; detail?: unknown }>;
}

interface PendingCallback {
  executionArn: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  /** The task's TimeoutSeconds timer, cleared once the token is answered so no dead timer lingers. */
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * How many finished executions are kept (with their histories) for /local/executions; open cases' executions
 * are always kept. Without a bound the runtime grew ~1.25 MiB per closed case (issue 12).
 */
export const FINISHED_EXECUTIONS_KEPT = 100;

/** Replaces every ${Name} in the definition; an unknown name is an error, never a silent blank. */
export function substitute(definitionText: string, substitutions: Record<string, string>): AslDefinition {
  const missing = new Set<string>();
  const text = definitionText.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_match, name: string) => {
    const value = substitutions[name];
    if (value === undefined) missing.add(name);
    return value ?? '';
  });
  if (missing.size > 0) throw new Error(`No value for the substitution(s) ${[...missing].join(', ')}`);
  return JSON.parse(text) as AslDefinition;
}

export function substitutionNames(definitionText: string): string[] {
  return [
    ...new Set([...definitionText.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1] as string)),
  ].sort();
}

/**
 * The interpreter resolves TimeoutSecondsPath against the Parameters output rather than the state input
 * (toolchain.md 2a), so the local copy carries the timeout through Parameters.
 */
function adaptForInterpreter(definition: AslDefinition): AslDefinition {
  for (const state of Object.values(definition.States)) {
    if (state.Type === 'Task' && typeof state.TimeoutSecondsPath === 'string' && state.Parameters) {
      state.Parameters['__timeoutSeconds.$'] = state.TimeoutSecondsPath;
      state.TimeoutSecondsPath = '$.__timeoutSeconds';
    }
  }
  return definition;
}

/**
 * A Lambda context for a local invocation. The local runtime holds no function to a timeout; the time left
 * counts down from Lambda's most (15 minutes), which send-digest's profile check reads to stop in time.
 */
export const lambdaContext = (name: string, timeoutMs = 900_000) => {
  const deadline = performance.now() + timeoutMs;
  return {
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: name,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/local/${name}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - performance.now())),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

/**
 * Step Functions for one machine: runs the real ASL with aws-local-stepfunctions, binds Task states to the
 * real Lambda handlers in-process, and implements the operations the application uses with the service's
 * semantics (unique execution names, one token per task, TaskTimedOut after a timeout).
 */
export class LocalStepFunctions implements WorkflowEngine {
  readonly stateMachineArn: string;
  private readonly definition: AslDefinition;
  /** Validated once; every execution runs on the same machine (validation compiles JSON schemas). */
  private readonly machine: StateMachine;
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly callbacks = new Map<string, PendingCallback>();
  private readonly deadTokens = new Map<string, 'TaskTimedOut' | 'TaskDoesNotExist'>();
  /** Each execution's dead tokens, forgotten with the execution (an unknown token reads as TaskDoesNotExist). */
  private readonly deadTokensOf = new Map<string, string[]>();
  /** Finished executions, oldest first (a Set keeps insertion order). */
  private readonly finished = new Set<string>();
  private inFlight = 0;
  private readonly aborts = new Map<string, () => void>();
  /**
   * Emits "waiting" with the execution's name once a callback task's handler has registered its task, so a
   * driver (the lifecycle benchmark) can act on the task without polling the table; "finished" when an
   * execution stops (its record may later be pruned).
   */
  readonly events = new EventEmitter<{
    waiting: [name: string];
    finished: [name: string, status: ExecutionRecord['status']];
  }>();

  constructor(
    private readonly handlers: Record<string, LambdaHandler>,
    options: {
      name?: string;
      substitutions: Record<string, string>;
      /**
       * false skips validating the definition (about a second of CPU compiling JSON schemas), for a process
       * that tests something else many times over; every other suite validates the same definition.
       */
      validate?: boolean;
    },
  ) {
    this.stateMachineArn = `arn:aws:states:eu-west-2:000000000000:stateMachine:${options.name ?? 'complaint'}`;
    this.definition = adaptForInterpreter(substitute(readFileSync(ASL_PATH, 'utf8'), options.substitutions));
    this.machine = new StateMachine(this.definition as never, {
      validationOptions: { noValidate: options.validate === false },
    });
  }

  /** Resolves when no task handler is running (used by the virtual clock to let work finish). */
  async idle(): Promise<void> {
    // The interpreter moves between states asynchronously, so a moment with no handler running is not yet
    // idle: wait until none has run for a few milliseconds of real time.
    let quietSince = performance.now();
    for (let turns = 0; turns < 3 || performance.now() - quietSince < 5; turns++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.inFlight > 0) quietSince = performance.now();
    }
  }

  /** Runs work the idle probe waits for (a task handler, or the daily tick's scheduled function). */
  track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    return work().finally(() => {
      this.inFlight--;
    });
  }

  private overrides(executionArn: string) {
    const local: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of Object.entries(this.definition.States)) {
      if (state.Type !== 'Task') continue;
      const functionName = String(state.Parameters?.FunctionName ?? '');
      const handler = this.handlers[functionName];
      if (!handler)
        throw new Error(`State "${stateName}" invokes ${functionName}, which has no local handler`);
      const callback = String(state.Resource).endsWith('.waitForTaskToken');
      local[stateName] = (input) => {
        const { Payload, __timeoutSeconds } = input as {
          Payload: Record<string, unknown>;
          __timeoutSeconds?: number;
        };
        if (!callback) {
          return this.track(async () => ({ Payload: await handler(Payload, lambdaContext(functionName)) }));
        }
        const token = String(Payload.taskToken);
        const pending: PendingCallback = { executionArn, resolve: () => {}, reject: () => {} };
        const waiting = new Promise((resolve, reject) => {
          Object.assign(pending, { resolve, reject });
        });
        this.callbacks.set(token, pending);
        if (__timeoutSeconds) {
          // Fires just before the interpreter's own timeout for the same instant, so the token is dead
          // by the time States.Timeout is caught, as in the service.
          pending.timer = setTimeout(() => this.expire(token, 'TaskTimedOut'), __timeoutSeconds * 1000);
        }
        return this.track(() => handler(Payload, lambdaContext(functionName))).then(
          () => {
            const name = this.executions.get(executionArn)?.name;
            if (name) this.events.emit('waiting', name);
            return waiting;
          },
          (error: unknown) => {
            // The attempt failed: its task is closed, as in the service (a retry brings a new token), so its
            // callback and timeout timer go, and its token answers TaskTimedOut.
            this.expire(token, 'TaskTimedOut');
            throw error;
          },
        );
      };
    }
    return local;
  }

  private expire(token: string, reason: 'TaskTimedOut' | 'TaskDoesNotExist') {
    const pending = this.callbacks.get(token);
    if (!pending) return;
    this.callbacks.delete(token);
    this.bury(token, pending, reason);
  }

  private bury(token: string, pending: PendingCallback, reason: 'TaskTimedOut' | 'TaskDoesNotExist') {
    if (pending.timer) clearTimeout(pending.timer);
    this.deadTokens.set(token, reason);
    const tokens = this.deadTokensOf.get(pending.executionArn);
    if (tokens) tokens.push(token);
    else this.deadTokensOf.set(pending.executionArn, [token]);
  }

  async startExecution(name: string, input: unknown) {
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) return { executionArn, alreadyStarted: true };
    const record: ExecutionRecord = {
      executionArn,
      name,
      status: 'RUNNING',
      startDate: new Date(),
      input,
      history: [],
    };
    const handlers = this.overrides(executionArn);
    this.executions.set(executionArn, record);
    // As in the service, StartExecution answers before the first state runs: the interpreter starts on a later
    // turn of the event loop, so an intake's HTTP response never waits for (or competes with) the workflow's
    // first steps. The idle probe counts the start as work until it has begun.
    this.inFlight++;
    setImmediate(() => {
      this.inFlight--;
      if (record.status === 'RUNNING') this.run(record, handlers);
    });
    return { executionArn, alreadyStarted: false };
  }

  private run(record: ExecutionRecord, handlers: ReturnType<LocalStepFunctions['overrides']>): void {
    const { executionArn, name, input } = record;
    const execution = this.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: {
        Execution: { Id: executionArn, Name: name, StartTime: record.startDate.toISOString() },
        StateMachine: { Id: this.stateMachineArn, Name: 'complaint' },
        Task: {
          get Token() {
            return randomUUID();
          },
        },
      } as never,
    });
    this.aborts.set(executionArn, execution.abort);
    void this.collectHistory(record, execution.eventLogs as AsyncIterable<Record<string, unknown>>);
    execution.result.then(
      (output: unknown) => this.finish(record, 'SUCCEEDED', { output }),
      (error: Error & { cause?: unknown }) =>
        this.finish(record, error.name === 'ExecutionAbortedError' ? 'ABORTED' : 'FAILED', {
          error: error.name,
          cause: String(error.message),
        }),
    );
  }

  private finish(
    record: ExecutionRecord,
    status: ExecutionRecord['status'],
    detail: Partial<ExecutionRecord>,
  ) {
    Object.assign(record, { status, stopDate: new Date(), ...detail });
    this.aborts.delete(record.executionArn);
    for (const [token, pending] of this.callbacks) {
      if (pending.executionArn === record.executionArn) this.expire(token, 'TaskDoesNotExist');
    }
    this.finished.add(record.executionArn);
    this.events.emit('finished', record.name, status);
    for (const oldest of this.finished) {
      if (this.finished.size <= FINISHED_EXECUTIONS_KEPT) break;
      this.forget(oldest);
    }
  }

  /** Drops a finished execution, its history and its dead tokens (the case's event log keeps the facts). */
  private forget(executionArn: string): void {
    this.finished.delete(executionArn);
    this.executions.delete(executionArn);
    for (const token of this.deadTokensOf.get(executionArn) ?? []) this.deadTokens.delete(token);
    this.deadTokensOf.delete(executionArn);
  }

  /** How much the runtime holds, so a test can check it stays bounded however many cases pass through. */
  retained(): { executions: number; callbacks: number; deadTokens: number; historyEvents: number } {
    let historyEvents = 0;
    for (const record of this.executions.values()) historyEvents += record.history.length;
    return {
      executions: this.executions.size,
      callbacks: this.callbacks.size,
      deadTokens: this.deadTokens.size,
      historyEvents,
    };
  }

  private async collectHistory(record: ExecutionRecord, events: AsyncIterable<Record<string, unknown>>) {
    try {
      for await (const event of events) {
        const state = event.state as { name?: string } | undefined;
        record.history.push({
          type: String(event.type),
          state: state?.name,
          at: new Date(Number(event.timestamp ?? Date.now())).toISOString(),
          detail: event.Error ?? event.error ?? undefined,
        });
      }
    } catch {
      // The log ends with the execution.
    }
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    this.take(token).resolve(JSON.parse(JSON.stringify(output)));
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    this.take(token).reject(Object.assign(new Error(cause), { name: error }));
  }

  private take(token: string): PendingCallback {
    const pending = this.callbacks.get(token);
    if (!pending) {
      const reason = this.deadTokens.get(token) ?? 'TaskDoesNotExist';
      throw new TaskNotOpenError(
        reason === 'TaskTimedOut'
          ? 'The workflow stopped waiting for this task (its deadline check ran); reload the case to see the new task'
          : 'The workflow is no longer waiting for this task',
        { reason },
      );
    }
    this.callbacks.delete(token);
    this.bury(token, pending, 'TaskDoesNotExist');
    return pending;
  }

  describeExecution(executionArn: string): ExecutionRecord | undefined {
    return this.executions.get(executionArn);
  }

  /** A case's execution by its name (the case id); once it has been resumed, the newest resume. */
  executionFor(name: string): ExecutionRecord | undefined {
    return (
      this.latestExecutions().find((execution) => execution.name.startsWith(`${name}-resume-`)) ??
      this.executions.get(`${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`)
    );
  }

  /** Each case's newest execution (its first, or the newest resume, `<caseId>-resume-<time>`). */
  latestExecutions(): ExecutionRecord[] {
    const latest = new Map<string, ExecutionRecord>();
    for (const execution of this.executions.values()) {
      const caseId = (execution.input as { caseId?: string } | undefined)?.caseId ?? execution.name;
      const known = latest.get(caseId);
      if (!known || known.startDate <= execution.startDate) latest.set(caseId, execution);
    }
    return [...latest.values()];
  }

  listExecutions(): ExecutionRecord[] {
    return [...this.executions.values()];
  }

  /** Stops every execution (a shutdown); their cases resume from the event log on the next start. */
  abortAll(): void {
    // An execution whose start is still queued never begins.
    for (const record of this.executions.values()) {
      if (record.status === 'RUNNING' && !this.aborts.has(record.executionArn)) record.status = 'ABORTED';
    }
    for (const abort of this.aborts.values()) abort();
    for (const [token] of this.callbacks) this.expire(token, 'TaskDoesNotExist');
  }
}
