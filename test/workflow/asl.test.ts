import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { STEPS } from '#shared/domain/case.ts';
import { LETTER_CLAIM_MS } from '#shared/usecases/notify.ts';
import { ASL_PATH, substitute, substitutionNames } from '../../infra/local/local-step-functions.ts';
import { WORKFLOW_FUNCTIONS } from '../../infra/local/system.ts';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator') as (
  definition: unknown,
  options?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

const text = readFileSync(ASL_PATH, 'utf8');
type State = Record<string, unknown> & {
  Type: string;
  Resource?: string;
  Retry?: Array<{
    ErrorEquals: string[];
    IntervalSeconds?: number;
    MaxAttempts?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
    JitterStrategy?: string;
  }>;
};
const definition = JSON.parse(text) as { States: Record<string, State> };

describe('statemachines/complaint.asl.json', () => {
  it('passes asl-validator with ARN and path checks', () => {
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is still valid once the substitutions are applied', () => {
    const substituted = substitute(text, {
      ...Object.fromEntries(
        substitutionNames(text).map((name) => [
          name,
          `arn:aws:lambda:eu-west-2:123456789012:function:${name}`,
        ]),
      ),
    });
    expect(aslValidator(substituted).isValid).toBe(true);
  });

  it('uses only substitutions the local runtime provides, and a missing one is an error', () => {
    expect(substitutionNames(text)).toEqual(Object.keys(WORKFLOW_FUNCTIONS).sort());
    expect(() => substitute(text, {})).toThrow(
      /No value for the substitution\(s\) .*CheckDeadlineFunctionArn/,
    );
  });

  it('is JSONPath only: no JSONata, no variables', () => {
    expect(text).not.toMatch(/"QueryLanguage"|"Assign"|"Arguments"|\{%/);
  });

  const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');

  it('retries transient Lambda errors with backoff on every task', () => {
    for (const [name, state] of tasks) {
      const transient = state.Retry?.find((retry) =>
        retry.ErrorEquals.includes('Lambda.TooManyRequestsException'),
      );
      expect(transient, name).toMatchObject({
        ErrorEquals: expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException']),
        BackoffRate: 2,
      });
    }
  });

  it('retries any other task failure a few times before giving up (tasks are idempotent)', () => {
    for (const [name, state] of tasks) {
      const last = state.Retry?.at(-1);
      expect(last, name).toMatchObject({ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 3 });
    }
  });

  it("retries a step that finds its letters claimed by another run for longer than any run's claim holds", () => {
    for (const [name, state] of tasks) {
      const retriers = state.Retry ?? [];
      const held = retriers.findIndex((retry) => retry.ErrorEquals.includes('LetterHeldError'));
      // Step Functions uses the first retrier that matches: none before it may catch the error.
      const wider = retriers.findIndex((retry) =>
        retry.ErrorEquals.some((error) => error === 'States.TaskFailed' || error === 'States.ALL'),
      );
      expect(held, name).toBeGreaterThanOrEqual(0);
      expect(held, name).toBeLessThan(wider);
      const retry = retriers[held] ?? { ErrorEquals: [] };
      // No jitter: with FULL jitter a wait may be anything down to nothing.
      expect(retry.JitterStrategy ?? 'NONE', name).toBe('NONE');
      const { IntervalSeconds = 1, MaxAttempts = 3, BackoffRate = 2, MaxDelaySeconds = Infinity } = retry;
      let waitedMs = 0;
      for (let attempt = 0; attempt < MaxAttempts; attempt++) {
        waitedMs += Math.min(IntervalSeconds * BackoffRate ** attempt, MaxDelaySeconds) * 1000;
      }
      // The last attempt starts after the claim met by the first has expired (it was taken before that attempt).
      expect(waitedMs, name).toBeGreaterThan(LETTER_CLAIM_MS.run);
    }
  });

  it('catches failures into named paths on every task', () => {
    for (const [name, state] of tasks) {
      const catches = (state.Catch as Array<{ ErrorEquals: string[]; Next: string }>).map((c) => c.Next);
      expect(catches, name).toContain('The workflow could not continue');
      expect(catches, name).toContain('The case record is missing');
    }
  });

  it('gives every callback an explicit timeout and catches it into a deadline check', () => {
    const callbacks = tasks.filter(([, state]) => String(state.Resource).endsWith('.waitForTaskToken'));
    expect(callbacks).toHaveLength(6);
    for (const [name, state] of callbacks) {
      expect(state.TimeoutSecondsPath, name).toBe('$.timeoutSeconds');
      const timeout = (state.Catch as Array<{ ErrorEquals: string[]; Next: string }>).find((c) =>
        c.ErrorEquals.includes('States.Timeout'),
      );
      expect(definition.States[timeout?.Next ?? '']?.Type, name).toBe('Task');
      expect(JSON.stringify(state.Parameters)).toMatch(/"taskToken\.\$":"\$\$\.Task\.Token"/);
    }
  });

  it('routes every step the domain can report', () => {
    const router = definition.States['Route to the step the case is waiting on'] as unknown as {
      Choices: Array<{
        StringEquals?: string;
        Next: string;
        And?: Array<{ StringEquals?: string }>;
      }>;
    };
    // A step with letters owed and no task to send them goes through the letters state first (an And rule).
    const routed = [
      ...new Set(router.Choices.map((choice) => choice.StringEquals ?? choice.And?.[0]?.StringEquals)),
    ].filter((step) => step !== undefined);
    expect(routed.sort()).toEqual([...STEPS, 'ready-to-close', 'closed'].sort());
    // A resumed execution is given only the case id: with no step it rebuilds the case from the log first.
    // (`Not` of `IsPresent: true`: aws-local-stepfunctions never matches `IsPresent: false`.)
    expect(router.Choices[0]).toEqual({
      Not: { Variable: '$.step', IsPresent: true },
      Next: 'Record receipt and work out the deadlines',
    });
  });

  it('starts at the router, and every path ends in a terminal state or a task that ends the execution', () => {
    expect((definition as unknown as { StartAt: string }).StartAt).toBe(
      'Route to the step the case is waiting on',
    );
    const ends = Object.entries(definition.States).filter(([, state]) => state.End === true);
    expect(ends.map(([name]) => name)).toEqual(['Send the letters a closed case is owed']);
  });

  it('waits until an instant with TimestampPath for outstanding-action updates', () => {
    const waits = Object.values(definition.States).filter((state) => state.Type === 'Wait');
    expect(waits).toEqual([expect.objectContaining({ TimestampPath: '$.waitUntil' })]);
  });
});
