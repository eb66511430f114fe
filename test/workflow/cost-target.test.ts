import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { describe, expect, it } from 'vitest';
import { type PathCost, pricePath, TARGET_PER_CASE, targetLine } from '../../bench/cost-model.ts';
import { priceScheduledJobs, synthTemplates } from '../../bench/fixed-cost.ts';
import { measureScheduledJobs, runsPerMonth, scheduledJobsIn } from '../../bench/scheduled-jobs.ts';
import { COST_PATHS } from './cost-paths.ts';

/**
 * Issue 12's cost target, guarded: the full two-stage path priced exactly as `npm run bench:cost` prices it
 * (the same counts, rules and list prices, from bench/cost-model.ts). The counts are deterministic (the virtual
 * clock, the real ASL), so a change that adds requests, transitions, invocations or emails to the path and takes
 * it over $0.0012 a case fails here rather than in a figure nobody re-ran.
 */
let fullCost: Promise<PathCost> | undefined;
/** The full path, run once for the tests that price it. */
function pricedFullPath(): Promise<PathCost> {
  const full = COST_PATHS.find((path) => path.name === 'full two-stage');
  if (!full) throw new Error('test/workflow/cost-paths.ts has no full two-stage path');
  fullCost ??= pricePath(full);
  return fullCost;
}

it('a full two-stage case costs at most $0.0012 in AWS', async () => {
  const cost = await pricedFullPath();
  console.log(`full two-stage: $${cost.total.toFixed(6)} a case (${JSON.stringify(cost.dollars)})`);
  expect(cost.total, JSON.stringify(cost)).toBeLessThanOrEqual(TARGET_PER_CASE);
}, 120_000);

/**
 * X-Ray is a provider option, off by default (ADR 0020), so the target above is the default deployment's; the
 * bench prints the price with tracing on beside it: a trace per API invocation and one for the execution.
 */
it('prices a full case with X-Ray tracing on beside the default, one trace per API invocation and one for the execution', async () => {
  const cost = await pricedFullPath();
  expect(cost.dollars.xray).toBeUndefined();
  expect(cost.traces).toBe(cost.businessEvents + 1);
  expect(cost.xrayWhenOn).toBeCloseTo(cost.traces * 0.000005, 12);
  expect(cost.totalWithTracing).toBeCloseTo(cost.total + cost.xrayWhenOn, 12);
  const printed = targetLine(cost).split('\n');
  expect(printed[0]).toContain(
    `Full two-stage case: $${cost.total.toFixed(6)} against the target of $0.0012`,
  );
  expect(printed[1]).toBe(
    `With X-Ray tracing on (features.xrayTracing): $${cost.totalWithTracing.toFixed(6)} (${cost.traces} traces, $${cost.xrayWhenOn.toFixed(6)}): ${cost.totalWithTracing <= TARGET_PER_CASE ? 'met' : 'NOT met'}.`,
  );
}, 120_000);

/**
 * The fixed monthly cost prices what runs on a schedule: one line per schedule in the synthesized templates,
 * each run on the local runtime. A schedule added without a way to run its job fails here instead of being
 * left out of the fixed cost.
 */
describe('the fixed monthly cost', () => {
  it('has a priced line for every schedule in the synthesized templates', async () => {
    const templates = synthTemplates('code-baseline');
    const schedules = templates.flatMap((template) => [
      ...Object.values(template.findResources('AWS::Scheduler::Schedule')).map((s) =>
        String(s.Properties.Name),
      ),
      ...Object.entries(template.findResources('AWS::Events::Rule'))
        .filter(([, rule]) => rule.Properties.ScheduleExpression)
        .map(([id, rule]) => String(rule.Properties.Name ?? id)),
    ]);
    expect(schedules.length).toBeGreaterThanOrEqual(3);
    const jobs = scheduledJobsIn(templates);
    const lines = priceScheduledJobs(jobs, await measureScheduledJobs(jobs, 7));
    expect(lines.map((line) => line.schedule).sort()).toEqual(schedules.sort());
    for (const line of lines) {
      expect(line.runs, line.job).toBeGreaterThan(20);
      expect(line.dynamoCalls, line.job).toBeGreaterThan(0);
      expect(line.dollars.lambda, line.job).toBeGreaterThan(0);
      expect(line.dollars.logs, line.job).toBeGreaterThan(0);
    }
  }, 120_000);

  it("counts a schedule's runs a month from its expression", () => {
    const month = 365.25 / 12;
    expect(runsPerMonth('cron(0 8 ? * MON-FRI *)')).toBeCloseTo((month * 5) / 7, 6);
    expect(runsPerMonth('cron(30 7 * * ? *)')).toBeCloseTo(month, 6);
    expect(runsPerMonth('rate(15 minutes)')).toBeCloseTo(month * 96, 6);
    expect(runsPerMonth('cron(0/15 * * * ? *)')).toBeCloseTo(month * 96, 6);
    expect(runsPerMonth('cron(0 3 1 * ? *)')).toBe(1);
    expect(() => runsPerMonth('cron(0 8 1 JAN ? *)')).toThrow(/cannot count the runs of "cron\(0 8 1 JAN/);
  });

  it('refuses a schedule whose job it cannot run', () => {
    const stack = new Stack(new App(), 'Extra');
    const fn = new lambda.Function(stack, 'Export', {
      functionName: 'complaints-test-nightly-export',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => ({});'),
    });
    new scheduler.CfnSchedule(stack, 'Nightly', {
      name: 'complaints-test-nightly-export',
      scheduleExpression: 'cron(0 2 * * ? *)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: { arn: fn.functionArn, roleArn: 'arn:aws:iam::123456789012:role/scheduler' },
    });
    const jobs = scheduledJobsIn([Template.fromStack(stack)]);
    expect(jobs.map((job) => [job.job, job.runsPerMonth])).toEqual([
      ['complaints-test-nightly-export', 365.25 / 12],
    ]);
    expect(() => priceScheduledJobs(jobs, new Map())).toThrow(
      /complaints-test-nightly-export.*add its short name to SCHEDULED_HANDLERS/,
    );
  });
});
