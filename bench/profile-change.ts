/**
 * The profile check at deploy over many open cases: how long each pass takes, against send-digest's 5-minute
 * Lambda timeout. Loads N open cases into dynalite (in this process) through the adapter's own writes, as the
 * functions leave them under the baseline profile: a third waiting on triage, a third on the stage 1 response, a
 * third on the stage 2 response, each with its letters sent (stamped with the baseline profile), received over the
 * fortnight before Monday 9 March 2026 (the loading is not timed). Then, with Wednesday 11 March 2026 added as a
 * bank holiday, times the deploy's record pass (nearly every case moves later: one event and one letter each) and
 * its apply pass (every case read again, nothing left to record), as `checkProfileAtDeploy` runs them in
 * send-digest, several cases at once (CASES_IN_FLIGHT), its letters paced (PacedMailer, `--letters-per-second`,
 * send-digest's PACED_LETTERS_PER_SECOND unless given). Prints, per pass: cases per second, wall and CPU time (this
 * process's, dynalite's included), the DynamoDB requests and letters per case; then the time each pass would take
 * for a larger case load, from the measured rate and from a model of AWS: the slowest of send-digest's share of a
 * vCPU at 512 MB, each case's requests and email waited for with CASES_IN_FLIGHT at once, and the letters' pace.
 *
 * Run: npm run bench:profile-change [-- --cases 1000,5000 --largest 20000 --letters-per-second 10]
 */
import { parseArgs } from 'node:util';
import { createDocumentClient, DynamoDbCaseStore } from '#shared/adapters/dynamodb-case-store.ts';
import { PACED_LETTERS_PER_SECOND, PacedMailer } from '#shared/adapters/paced-mailer.ts';
import { applyCaseEvent, type CaseEvent, type CaseState, caseContext } from '#shared/domain/case.ts';
import { lettersOwed } from '#shared/domain/correspondence.ts';
import { defaultEscalationRoute } from '#shared/domain/letters.ts';
import { loadProfile } from '#shared/policy/load-profile.ts';
import { type ProviderProfile, profileFingerprint } from '#shared/policy/profile.ts';
import { addCalendarDays, londonWallClockToInstant } from '#shared/time/london.ts';
import { CASES_IN_FLIGHT, checkProfileAtDeploy } from '#shared/usecases/profile-change.ts';
import { silenceSdkNodeVersionWarning } from '../bin/sdk-warning.ts';
import { startDynalite } from '../test/support/dynamodb.ts';
import { ManualClock } from '../test/support/fakes/clock.ts';
import { fakeDependencies } from '../test/support/fakes/dependencies.ts';
import { RecordingMailer } from '../test/support/fakes/notifications.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000,5000' },
    largest: { type: 'string', default: '20000' },
    'letters-per-second': { type: 'string', default: String(PACED_LETTERS_PER_SECOND) },
  },
});
const sizes = values.cases.split(',').map(Number);
const largest = Number(values.largest);
const lettersPerSecond = Number(values['letters-per-second']);
if (
  sizes.some((n) => !Number.isInteger(n) || n < 3) ||
  !Number.isInteger(largest) ||
  !(lettersPerSecond > 0)
) {
  console.error(
    '--cases takes whole numbers of at least 3, comma-separated (1000,5000); --largest a whole number; --letters-per-second a number above 0',
  );
  process.exit(2);
}

/**
 * send-digest's timeout (infra/constructs/daily-digest.ts) less the 90 s at which a pass stops taking cases, and
 * the invocations a pass has: the first and Lambda's two retries.
 */
const LAMBDA_LIMIT_S = 900 - 90;
const INVOCATIONS = 3;
/**
 * The latency model for AWS: a DynamoDB request from Lambda in the same region about 5 ms (single-digit
 * milliseconds, as AWS states; a Query of a case's events about the same), an SES SendEmail about 30 ms.
 */
const DYNAMO_MS = 5;
const SES_MS = 30;
/**
 * Lambda gives a function CPU in proportion to its memory, a whole vCPU at 1,769 MB: send-digest has 512 MB, so
 * the CPU time measured here (on a whole core) takes 1,769 / 512 times as long there.
 */
const LAMBDA_CPU_SLOWDOWN = 1769 / 512;

const baseline = loadProfile('code-baseline');
const withHoliday: ProviderProfile = {
  ...baseline,
  calendar: {
    ...baseline.calendar,
    extraBankHolidays: [{ date: '2026-03-11', reason: 'Announced bank holiday' }],
  },
};
const oldContext = caseContext(baseline);
const stamp = profileFingerprint(baseline);
const NOW = '2026-03-09T12:00:00.000Z';

const handler = { kind: 'staff', id: 'bench-handler', role: 'handler' } as const;
const reviewer = { kind: 'staff', id: 'bench-reviewer', role: 'reviewer' } as const;
const resident = { kind: 'resident', id: 'bench-resident' } as const;

/** Case n's events, as the old functions recorded them, letters included. */
function caseEvents(n: number): CaseEvent[] {
  const kind = n % 3;
  // Received on one of the ten working days up to Monday 9 March (the older ones further along).
  const day = addCalendarDays('2026-02-23', (n % 10) + Math.floor((n % 10) / 5) * 2);
  const at = (offset: number, hour = 10) => londonWallClockToInstant(addCalendarDays(day, offset), hour, 0);
  const events: CaseEvent[] = [
    {
      type: 'received',
      at: at(0, 9),
      by: resident,
      reference: `CMP-2026-${String(n).padStart(6, '0')}`,
      channel: 'web',
      complainant: {
        name: 'Bench Resident',
        email: `resident${n}@resident.example`,
        preferredContact: 'email',
      },
      complaint: { whatHappened: 'The repair is late.', outcomeWanted: 'Fix it' },
    },
  ];
  if (kind >= 1) {
    events.push(
      { type: 'triaged', at: at(0), by: handler, outcome: 'complaint' },
      {
        type: 'acknowledged',
        stage: 1,
        at: at(0, 11),
        by: handler,
        definition: 'The repair',
        outcomesSought: ['Fix it'],
      },
    );
  }
  if (kind === 2) {
    events.push(
      {
        type: 'response-issued',
        stage: 1,
        at: at(0, 12),
        by: handler,
        letter: {
          stage: 1,
          complaintDefinition: 'The repair',
          decision: 'not-upheld',
          reasons: 'The reasons.',
          remedy: 'none',
          outstandingActions: 'none',
          escalationRoute: defaultEscalationRoute(baseline, 1),
        },
      },
      { type: 'escalation-requested', at: at(0, 13), by: resident },
      {
        type: 'acknowledged',
        stage: 2,
        at: at(0, 14),
        by: reviewer,
        definition: 'The stage 1 remedy',
        outcomesSought: ['Fix it'],
      },
    );
  }
  // Every letter those events call for, sent by the old functions (stamped with the profile they ran).
  for (const letter of lettersOwed(events)) {
    events.push({
      type: 'correspondence-sent',
      at: at(0, 15),
      by: { kind: 'system', id: 'notifications' },
      template: letter.template,
      key: letter.key,
      channel: 'email',
      recipient: `resident${n}@resident.example`,
      messageId: `bench-${n}-${letter.seq}`,
      profileFingerprint: stamp,
    });
  }
  return events;
}

let requests = 0;
const requestsByCommand = new Map<string, number>();

async function loadCases(repository: DynamoDbCaseStore, total: number): Promise<void> {
  let next = 0;
  const writer = async () => {
    for (let n = next++; n < total; n = next++) {
      const caseId = `bench-${String(n).padStart(6, '0')}`;
      let state: CaseState | undefined;
      const events = caseEvents(n);
      for (const [index, event] of events.entries()) {
        state = applyCaseEvent(state, event, oldContext, caseId);
        await repository.appendEvent(caseId, index + 1, event);
      }
      if (state) await repository.saveProjection(state, { contacts: [], names: [] });
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
}

interface PassFigures {
  cases: number;
  wallS: number;
  cpuS: number;
  requests: number;
  letters: number;
  recorded: number;
  outcome: string;
}

async function timedPass(
  deps: Parameters<typeof checkProfileAtDeploy>[0],
  mailer: RecordingMailer,
  pass: 'record' | 'apply',
  cases: number,
): Promise<PassFigures> {
  global.gc?.();
  requestsByCommand.clear();
  const [requestsBefore, lettersBefore] = [requests, mailer.sent.length];
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const report = await checkProfileAtDeploy(deps, {
    pass,
    profileFingerprint: profileFingerprint(withHoliday),
  });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    cases,
    wallS: (performance.now() - started) / 1000,
    cpuS: (cpu.user + cpu.system) / 1e6,
    requests: requests - requestsBefore,
    letters: mailer.sent.length - lettersBefore,
    recorded: report.changes.length,
    outcome: report.outcome,
  };
}

function printPass(pass: string, figures: PassFigures) {
  const perCase = (value: number) => (value / figures.cases).toFixed(2);
  const byCommand = [...requestsByCommand.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([command, count]) => `${command.replace(/Command$/, '')} ${perCase(count)}`)
    .join(', ');
  console.log(
    `  ${pass} pass: ${figures.outcome}, ${figures.recorded} cases recorded, ${figures.letters} letters`,
  );
  console.log(
    `    ${Math.round(figures.cases / figures.wallS)} cases/s; wall ${figures.wallS.toFixed(2)} s, CPU ${figures.cpuS.toFixed(2)} s (${((figures.cpuS / figures.cases) * 1000).toFixed(2)} ms a case, dynalite's included)`,
  );
  console.log(
    `    DynamoDB requests ${perCase(figures.requests)} a case (${byCommand}); letters ${perCase(figures.letters)} a case`,
  );
}

/**
 * Seconds for `cases` at the measured rate, and by the model of AWS, the slowest of: the CPU measured, slowed to
 * send-digest's share of a vCPU (dynalite's CPU is in it, so this overstates); each case's requests and email
 * waited for in turn, CASES_IN_FLIGHT cases at once; the letters at send-digest's pace.
 */
function projected(figures: PassFigures, cases: number) {
  const perCase = (value: number) => value / figures.cases;
  const measured = (figures.wallS / figures.cases) * cases;
  const cpu = perCase(figures.cpuS) * LAMBDA_CPU_SLOWDOWN;
  const waits =
    (perCase(figures.requests) * DYNAMO_MS + perCase(figures.letters) * SES_MS) / 1000 / CASES_IN_FLIGHT;
  const paced = perCase(figures.letters) / PACED_LETTERS_PER_SECOND;
  const bound = cpu >= waits && cpu >= paced ? 'CPU' : paced >= waits ? 'letters' : 'waits';
  return { measured, modelled: cases * Math.max(cpu, waits, paced), bound };
}

silenceSdkNodeVersionWarning();
const dynamo = await startDynalite();
const client = dynamo.client();
client.middlewareStack.add(
  (next, context) => async (args) => {
    requests++;
    const command = String(context.commandName ?? 'unknown');
    requestsByCommand.set(command, (requestsByCommand.get(command) ?? 0) + 1);
    return next(args);
  },
  { step: 'initialize', name: 'countRequests' },
);
const documents = createDocumentClient(client);

console.log(
  `Profile check at deploy: Wednesday 11 March 2026 added as a bank holiday, now ${NOW}; ${CASES_IN_FLIGHT} cases at once, letters at most ${lettersPerSecond} a second`,
);
const results: Array<{ cases: number; record: PassFigures; apply: PassFigures }> = [];
for (const total of sizes) {
  const tableName = await dynamo.createTable(`complaints-bench-profile-${total}`);
  const repository = new DynamoDbCaseStore(tableName, documents);
  const loading = performance.now();
  await loadCases(repository, total);
  console.log(
    `\n${total.toLocaleString('en-GB')} open cases loaded in ${Math.round((performance.now() - loading) / 1000)} s (not timed)`,
  );
  await repository.saveAppliedProfile({ fingerprint: stamp, profile: baseline, appliedAt: NOW }, undefined);
  const mailer = new RecordingMailer();
  const { deps } = fakeDependencies({
    repository,
    mailer: new PacedMailer(mailer, { perSecond: lettersPerSecond }),
    clock: new ManualClock(NOW),
    context: caseContext(withHoliday),
  });
  const record = await timedPass(deps, mailer, 'record', total);
  printPass('record', record);
  const apply = await timedPass(deps, mailer, 'apply', total);
  printPass('apply', apply);
  results.push({ cases: total, record, apply });
}

const largestRun = results.at(-1);
if (largestRun) {
  console.log(
    `\nProjected for ${largest.toLocaleString('en-GB')} open cases (from the ${largestRun.cases.toLocaleString('en-GB')}-case run), against ${LAMBDA_LIMIT_S} s an invocation (send-digest's 900 s less its 90 s margin), ${INVOCATIONS} invocations:`,
  );
  const verdict = (seconds: number) =>
    seconds <= LAMBDA_LIMIT_S
      ? 'fits one invocation'
      : seconds <= LAMBDA_LIMIT_S * INVOCATIONS
        ? `${Math.ceil(seconds / LAMBDA_LIMIT_S)} invocations`
        : `does not fit ${INVOCATIONS} invocations`;
  for (const pass of ['record', 'apply'] as const) {
    const { measured, modelled, bound } = projected(largestRun[pass], largest);
    console.log(
      `  ${pass}: ${Math.round(measured)} s at the measured rate (${verdict(measured)}); ${Math.round(modelled)} s in AWS by the model (bound by ${bound}: CPU x ${LAMBDA_CPU_SLOWDOWN.toFixed(2)} at 512 MB, ${DYNAMO_MS} ms a DynamoDB request and ${SES_MS} ms an email ${CASES_IN_FLIGHT} cases at once, ${PACED_LETTERS_PER_SECOND} letters a second: ${verdict(modelled)})`,
    );
  }
  for (const pass of ['record', 'apply'] as const) {
    const { measured, modelled } = projected(largestRun[pass], 1);
    console.log(
      `  most open cases one ${pass} pass finishes in one invocation (${LAMBDA_LIMIT_S} s): ${Math.floor(LAMBDA_LIMIT_S / measured).toLocaleString('en-GB')} at the measured rate, ${Math.floor(LAMBDA_LIMIT_S / modelled).toLocaleString('en-GB')} by the model; in ${INVOCATIONS}: ${Math.floor((INVOCATIONS * LAMBDA_LIMIT_S) / modelled).toLocaleString('en-GB')} by the model`,
    );
  }
}
await dynamo.stop();
