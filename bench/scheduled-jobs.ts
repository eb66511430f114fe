/**
 * What runs whether or not there are complaints: every schedule in the synthesized templates (EventBridge
 * Scheduler schedules and EventBridge rules with a schedule expression), the function each invokes (its
 * memory from the template), how often (from the expression), and what one run does on an empty table,
 * counted by running the job's handler on the local runtime for a month of its scheduled days. bench:cost
 * prices it as part of the fixed monthly cost; test/workflow/cost-target.test.ts checks that every schedule
 * in the templates has a line (a schedule whose job this file cannot run fails there, not silently at $0).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MiddlewareStack } from '@smithy/types';
import type { Template } from 'aws-cdk-lib/assertions';
import type { Context } from 'aws-lambda';
import { lambdaContext } from '../infra/local/local-step-functions.ts';
import type { DynamoCall } from '../test/workflow/cost-paths.ts';
import { Harness } from '../test/workflow/harness.ts';
import { requestUnits } from './request-units.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * The handler each scheduled function runs, by the function's short name (its FunctionName without the
 * `<prefix>-`). A new scheduled function needs its line here, or bench:cost and the cost test refuse to run.
 */
export const SCHEDULED_HANDLERS: Record<string, () => Promise<{ handler: Handler }>> = {
  'send-digest': () => import('../functions/workflow/send-digest.ts') as Promise<{ handler: Handler }>,
  retention: () => import('../functions/workflow/retention.ts') as Promise<{ handler: Handler }>,
  'report-months': () => import('../functions/workflow/report-months.ts') as Promise<{ handler: Handler }>,
};

/** A schedule found in a template and the function it invokes. */
export interface ScheduledJob {
  /** The schedule's name (or logical id). */
  schedule: string;
  expression: string;
  timeZone: string;
  functionName: string;
  /** The function's short name: the key in SCHEDULED_HANDLERS. */
  job: string;
  memoryMb: number;
  /** Its log group's retention (infinite when the template sets none: priced at a year). */
  logRetentionDays: number;
  /** Lambda active tracing (X-Ray records each run: a daily run is always sampled). */
  traced: boolean;
  runsPerMonth: number;
}

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** The logical id a target's `Fn::GetAtt [id, Arn]` (or `Ref`) names. */
function targetId(arn: unknown): string | undefined {
  const value = arn as { 'Fn::GetAtt'?: [string, string]; Ref?: string } | undefined;
  return value?.['Fn::GetAtt']?.[0] ?? value?.Ref;
}

/** The retention of the log group a function's LoggingConfig names. */
function logRetentionOf(resources: Record<string, Resource>, fn: Resource): number {
  const group = targetId((fn.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup);
  const days = group ? resources[group]?.Properties?.RetentionInDays : undefined;
  return days === undefined ? 365 : Number(days);
}

/**
 * Refuses jobs whose handler bench/scheduled-jobs.ts cannot run: a new schedule must get its line in
 * SCHEDULED_HANDLERS, so its cost is measured instead of left out.
 */
export function assertPriceable(jobs: readonly ScheduledJob[]): void {
  for (const job of jobs) {
    if (!SCHEDULED_HANDLERS[job.job]) {
      throw new Error(
        `The schedule ${job.schedule} invokes ${job.functionName}, whose handler bench/scheduled-jobs.ts cannot run: add its short name to SCHEDULED_HANDLERS so the fixed monthly cost prices it`,
      );
    }
  }
}

/** Every schedule in the templates, with its function's name, memory and runs a month. */
export function scheduledJobsIn(templates: readonly Template[]): ScheduledJob[] {
  return templates.flatMap((template) => {
    const resources = template.toJSON().Resources as Record<string, Resource>;
    const found: Array<{ id: string; name: string; expression: string; timeZone: string; target: unknown }> =
      [];
    for (const [id, resource] of Object.entries(resources)) {
      const props = resource.Properties ?? {};
      if (resource.Type === 'AWS::Scheduler::Schedule') {
        found.push({
          id,
          name: String(props.Name ?? id),
          expression: String(props.ScheduleExpression),
          timeZone: String(props.ScheduleExpressionTimezone ?? 'UTC'),
          target: (props.Target as { Arn?: unknown } | undefined)?.Arn,
        });
      } else if (resource.Type === 'AWS::Events::Rule' && props.ScheduleExpression) {
        found.push({
          id,
          name: String(props.Name ?? id),
          expression: String(props.ScheduleExpression),
          timeZone: 'UTC',
          target: (props.Targets as Array<{ Arn?: unknown }> | undefined)?.[0]?.Arn,
        });
      }
    }
    return found.map((schedule) => {
      const fnId = targetId(schedule.target);
      const fn = fnId ? resources[fnId] : undefined;
      if (fn?.Type !== 'AWS::Lambda::Function') {
        throw new Error(
          `The schedule ${schedule.name} (${schedule.id}) does not invoke a Lambda function of its own stack; bench/scheduled-jobs.ts prices only those: add a rule for its target`,
        );
      }
      const functionName = String(fn.Properties?.FunctionName ?? fnId);
      return {
        schedule: schedule.name,
        expression: schedule.expression,
        timeZone: schedule.timeZone,
        functionName,
        job: Object.keys(SCHEDULED_HANDLERS).find((job) => functionName.endsWith(`-${job}`)) ?? functionName,
        memoryMb: Number(fn.Properties?.MemorySize ?? 128),
        logRetentionDays: logRetentionOf(resources, fn),
        traced: (fn.Properties?.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active',
        runsPerMonth: runsPerMonth(schedule.expression),
      };
    });
  });
}

const DAYS_A_MONTH = 365.25 / 12;
const WEEK_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** How many values a cron field takes out of `all` (`*`, `n`, `a,b`, `a-b`, `n/step`). */
function fieldCount(field: string, all: number, names: readonly string[] = []): number {
  if (field === '*' || field === '?') return all;
  const value = (text: string) => {
    const index = names.indexOf(text.toUpperCase());
    return index >= 0 ? index : Number(text);
  };
  return field.split(',').reduce((sum, part) => {
    const step = /^(\*|\d+)\/(\d+)$/.exec(part);
    if (step) return sum + Math.ceil((all - (step[1] === '*' ? 0 : Number(step[1]))) / Number(step[2]));
    const range = /^(\w+)-(\w+)$/.exec(part);
    if (range) return sum + value(range[2] ?? '') - value(range[1] ?? '') + 1;
    return sum + 1;
  }, 0);
}

/**
 * Runs in an average month (365.25 / 12 days) of an EventBridge schedule expression: `rate(n unit)` or
 * `cron(minutes hours day-of-month month day-of-week year)` with every month and year.
 */
export function runsPerMonth(expression: string): number {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) {
    const perDay = { minute: 1440, hour: 24, day: 1 }[rate[2] as 'minute' | 'hour' | 'day'];
    return (DAYS_A_MONTH * perDay) / Number(rate[1]);
  }
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+)(?: (\S+))?\)$/.exec(expression);
  if (cron?.[4] !== '*' || (cron[6] ?? '*') !== '*') {
    throw new Error(
      `bench/scheduled-jobs.ts cannot count the runs of "${expression}": it reads rate(n minutes|hours|days) and cron with every month and year; extend runsPerMonth`,
    );
  }
  const [, minutes = '', hours = '', dayOfMonth = '', , dayOfWeek = ''] = cron;
  const perDay = fieldCount(minutes, 60) * fieldCount(hours, 24);
  const days =
    dayOfMonth === '?' || dayOfMonth === '*'
      ? (DAYS_A_MONTH * fieldCount(dayOfWeek, 7, WEEK_DAYS)) / 7
      : fieldCount(dayOfMonth, 31);
  return perDay * days;
}

/** Whether a cron schedule runs on a day of the week (0 = Sunday); a rate runs every day. */
function runsOn(expression: string, weekDay: number): boolean {
  const dayOfWeek = /^cron\(\S+ \S+ \S+ \S+ (\S+)/.exec(expression)?.[1];
  if (!dayOfWeek || dayOfWeek === '*' || dayOfWeek === '?') return true;
  return dayOfWeek.split(',').some((part) => {
    // Names, or EventBridge's numbers (1 is Sunday).
    const day = (name: string) =>
      /^\d$/.test(name) ? Number(name) - 1 : WEEK_DAYS.indexOf(name.toUpperCase());
    const [from, to = from] = part.split('-').map(day);
    return weekDay >= (from ?? 0) && weekDay <= (to ?? 6);
  });
}

/** The first instant of a cron's hour and minute on a day (London is UTC in the simulated weeks). */
function atOf(expression: string, day: Date): Date {
  const [, minute = '0', hour = '0'] = /^cron\((\d+) (\d+)/.exec(expression) ?? [];
  const at = new Date(day);
  at.setUTCHours(Number(hour), Number(minute), 0, 0);
  return at;
}

/** What one run of a job did on average, on an empty table. */
export interface JobRun {
  runs: number;
  dynamoCalls: number;
  read: number;
  write: number;
  indexWrite: number;
  stepFunctionsCalls: number;
  emails: number;
  /** What the handler wrote to its log (stdout and stderr), in bytes. */
  logBytes: number;
  /** The handler's wall time, in ms (the local runtime's: dynalite and the SDK in one process). */
  handlerMs: number;
}

/**
 * Runs each job's handler on a fresh local runtime with an empty table, at its scheduled time on each of its
 * days in `days` days from a Monday in winter (London on UTC), after one settling run of each (a first run
 * after go-live stores the applied profile and builds the report months since; one-off, not monthly). Every
 * DynamoDB request, Step Functions call, email and log byte of those runs is counted, per run on average.
 * The local daily tick (08:00) runs the jobs again after the counted runs each day: it finds nothing to do.
 */
export async function measureScheduledJobs(
  jobs: readonly ScheduledJob[],
  days = 28,
): Promise<Map<string, JobRun>> {
  assertPriceable(jobs);
  const handlers = new Map<string, Handler>();
  for (const job of jobs) {
    const load = SCHEDULED_HANDLERS[job.job];
    if (load) handlers.set(job.job, (await load()).handler);
  }
  const firstDay = new Date('2026-02-16T00:00:00Z');
  const h = await Harness.start({ start: new Date('2026-02-15T06:00:00Z') });
  const counting = new AsyncLocalStorage<string>();
  const calls = new Map<string, DynamoCall[]>(jobs.map((job) => [job.job, []]));
  const tally = new Map<string, { stepFunctionsCalls: number; emails: number }>(
    jobs.map((job) => [job.job, { stepFunctionsCalls: 0, emails: 0 }]),
  );
  (h.system.dynamo.middlewareStack as MiddlewareStack<object, object>).add(
    (next, context) => async (args) => {
      const job = counting.getStore();
      if (!job) return next(args);
      const operation = String((context as { commandName?: string }).commandName ?? '').replace(
        /Command$/,
        '',
      );
      const input = args.input as Record<string, unknown>;
      try {
        const result = await next(args);
        calls.get(job)?.push({ operation, input, output: result.output as Record<string, unknown> });
        return result;
      } catch (error) {
        calls.get(job)?.push({ operation, input, output: {}, failed: (error as Error).name });
        throw error;
      }
    },
    { step: 'initialize', name: 'countScheduledCalls' },
  );
  const engine = h.deps.engine as unknown as Record<string, unknown>;
  for (const name of Object.keys(engine)) {
    const method = engine[name];
    if (typeof method !== 'function') continue;
    engine[name] = (...args: unknown[]) => {
      const job = counting.getStore();
      const counted = job ? tally.get(job) : undefined;
      if (counted) counted.stepFunctionsCalls++;
      return (method as (...a: unknown[]) => unknown).apply(h.deps.engine, args);
    };
  }
  const send = h.deps.mailer.send.bind(h.deps.mailer);
  h.deps.mailer.send = async (email) => {
    const job = counting.getStore();
    const counted = job ? tally.get(job) : undefined;
    if (counted) counted.emails++;
    return send(email);
  };
  const runs = new Map<string, { runs: number; logBytes: number; handlerMs: number }>(
    jobs.map((job) => [job.job, { runs: 0, logBytes: 0, handlerMs: 0 }]),
  );
  const runOnce = async (job: ScheduledJob, count: boolean) => {
    const handler = handlers.get(job.job) as Handler;
    if (!count) return handler({}, lambdaContext(`local:${job.job}`) as never);
    const out = process.stdout.write;
    const err = process.stderr.write;
    let bytes = 0;
    const capture = (chunk: unknown) => {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    const started = performance.now();
    try {
      await counting.run(job.job, () => handler({}, lambdaContext(`local:${job.job}`) as never));
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    const run = runs.get(job.job);
    if (run) {
      run.runs++;
      run.handlerMs += performance.now() - started;
      run.logBytes += bytes;
    }
  };
  try {
    // Settling runs: what a first run after go-live does once.
    for (const job of jobs) {
      for (let i = 0; i < 24; i++) {
        const result = (await runOnce(job, false)) as { built?: unknown[] } | undefined;
        if (!result?.built?.length) break;
      }
    }
    for (let day = 0; day < days; day++) {
      const date = new Date(firstDay.getTime() + day * 86_400_000);
      const due = jobs
        .filter((job) => runsOn(job.expression, date.getUTCDay()))
        .map((job) => ({ job, at: atOf(job.expression, date) }))
        .sort((a, b) => a.at.getTime() - b.at.getTime());
      for (const { job, at } of due) {
        // The clock at the scheduled minute less one ms: the local tick at 08:00 has not run yet that day.
        await h.advanceTo(new Date(at.getTime() - 1).toISOString());
        await runOnce(job, true);
      }
    }
  } finally {
    await h.stop();
  }
  return new Map(
    jobs.map((job) => {
      const run = runs.get(job.job) ?? { runs: 0, logBytes: 0, handlerMs: 0 };
      const counted = tally.get(job.job) ?? { stepFunctionsCalls: 0, emails: 0 };
      const recorded = calls.get(job.job) ?? [];
      const units = requestUnits(recorded);
      const per = (n: number) => (run.runs ? n / run.runs : 0);
      return [
        job.job,
        {
          runs: run.runs,
          dynamoCalls: per(recorded.length),
          read: per(units.read),
          write: per(units.write),
          indexWrite: per(units.indexWrite),
          stepFunctionsCalls: per(counted.stepFunctionsCalls),
          emails: per(counted.emails),
          logBytes: per(run.logBytes),
          handlerMs: per(run.handlerMs),
        },
      ];
    }),
  );
}
