import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { powertoolsEnvironment, stackPrefix } from './infra/powertools-environment.ts';

/**
 * One project per suite (`npm run test:<name>`; `npm test` runs them all). The fast ones (unit, adapters,
 * handlers) take seconds to a minute; workflow, web, local, hostile and e2e run real components (dynalite, the
 * ASL, the SES emulator, Chromium, child processes) and take minutes.
 */
const SUITES = {
  unit: 'domain, calendar, policy, letters and use cases on in-memory fakes of the ports',
  adapters: 'the DynamoDB adapter against dynalite (the CaseRepository contract the fakes also keep)',
  handlers:
    'API, workflow and SES-event handlers on the real DynamoDB adapter (dynalite); SFN and SES mocked',
  web: 'the GOV.UK pages: resident and staff journeys, sign-in, accessibility fixtures',
  workflow: 'the real ASL in aws-local-stepfunctions with the real handlers: paths, races, faults, digests',
  local: 'the local runtime as a child process: npm start, kill -9 and restart',
  infra: 'CDK stacks and constructs (Template assertions, cdk-nag) and the Lambda bundles',
  hostile: 'hostile input against the pages and API: cookies, logs, malformed requests, the sweep',
  e2e: 'one whole case, and email in the staff console, through the local runtime as residents and staff would',
} as const;

// A test file outside every suite would never run: fail loudly instead.
const strays = readdirSync('test', { recursive: true, encoding: 'utf8' }).filter(
  (path) => path.endsWith('.test.ts') && !Object.keys(SUITES).includes(path.split(/[\\/]/)[0] ?? ''),
);
if (strays.length > 0) {
  throw new Error(
    `These tests are in no suite: ${strays.join(', ')}. Move them, or add a suite in vitest.config.ts`,
  );
}

const ENV = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  TZ: 'America/New_York',
  // Named as a stack names its functions, so handlers in the suites log and count as they do in AWS.
  ...powertoolsEnvironment(stackPrefix('test')),
};

/**
 * Suites whose files run two at a time even on two cores (vitest's default there is one): each hostile
 * sweep file is one process's CPU-bound loop, with its own local system. A suite with its own worker count
 * needs its own group (vitest's rule), so it runs after the others. The sweeps' requests are mostly promises
 * and short-lived objects, so two costs that do not change what they check are taken off them:
 * - X-Ray's automatic mode (aws-xray-sdk-core, loaded by the Powertools tracer) installs an async hook that
 *   tracks every promise's destruction, 5 to 7 % of a sweep's CPU in a profile; tracing is off outside
 *   Lambda (the tracer needs AWS_EXECUTION_ENV), so manual mode changes nothing else.
 * - A larger young generation: fewer scavenges of the same garbage (GC was about 7 % of a sweep's CPU).
 */
const PARALLEL: Partial<
  Record<
    keyof typeof SUITES,
    { maxWorkers: number; sequence: { groupOrder: number }; execArgv: string[]; env: Record<string, string> }
  >
> = {
  hostile: {
    maxWorkers: 2,
    sequence: { groupOrder: 1 },
    execArgv: ['--max-semi-space-size=64'],
    env: { ...ENV, AWS_XRAY_MANUAL_MODE: '1' },
  },
};

export default defineConfig({
  test: {
    testTimeout: 30_000,
    env: ENV,
    projects: Object.keys(SUITES).map((name) => ({
      extends: true,
      test: { name, include: [`test/${name}/**/*.test.ts`], ...PARALLEL[name as keyof typeof SUITES] },
    })),
    coverage: {
      provider: 'v8',
      // The pure rules: what the Code requires and how deadlines are counted.
      include: ['shared/domain/**/*.ts', 'shared/calendar/**/*.ts'],
      exclude: ['shared/calendar/holidays.generated.ts'],
      reporter: ['text-summary', 'text'],
      // Just below what the unit suite measured when the threshold was set (79.26, 72.2, 86.92, 80.84 %): raise
      // them as tests are added, never lower them to pass.
      thresholds: { statements: 79, branches: 72, functions: 86, lines: 80 },
    },
  },
});
