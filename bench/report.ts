/**
 * The annual report over 100,000 closed cases. Generates them in a local store (dynalite, in this process,
 * batch writes of the items the adapter writes for each case's reporting facts: the generation is not timed),
 * then times the daily run that builds each closed month's tally (refreshReportMonths: a Query of the month on
 * gsi3), and the annual report as its page builds it (viewAnnualReport: each month's cached tally, or a Query of
 * the month when it has none or its facts changed since) after the daily run, with every month cached, after one
 * case changed, and after the next daily run; then GET /staff/reports for the year. Each prints the time, the
 * items read and the peak memory. Target for the report: 5 s.
 *
 * Run: npm run bench:report [-- --cases 100000]
 */

import { parseArgs } from 'node:util';
import {
  batchPutItems,
  createDocumentClient,
  DynamoDbCaseStore,
  DynamoDbReportingStore,
  factItems,
} from '#shared/adapters/dynamodb-case-store.ts';
import {
  applyCaseEvent,
  type CaseEvent,
  type CaseState,
  caseContext,
  foldCase,
} from '#shared/domain/case.ts';
import {
  defaultEscalationRoute,
  defaultNonAcceptanceRoute,
  type StageResponse,
} from '#shared/domain/letters.ts';
import { caseFacts, factMonths } from '#shared/domain/reporting/facts.ts';
import { loadProfile } from '#shared/policy/load-profile.ts';
import { addCalendarDays, londonWallClockToInstant } from '#shared/time/london.ts';
import { viewAnnualReport } from '#shared/usecases/annual-report.ts';
import { type ReportMonthsRun, refreshReportMonths, staffReport } from '#shared/usecases/report.ts';
import { startDynalite } from '../test/support/dynamodb.ts';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '100000' } } });
const total = Number(values.cases);
const profile = loadProfile('code-baseline');
const ctx = caseContext(profile);
const year = { from: '2026-04-01', to: '2027-03-31' };

const handler = { kind: 'staff', id: 'bench-handler', role: 'handler' } as const;
const reviewer = { kind: 'staff', id: 'bench-reviewer', role: 'reviewer' } as const;
const resident = { kind: 'resident', id: 'bench-resident' } as const;

function letter(stage: 1 | 2, extra: Partial<StageResponse>): StageResponse {
  return {
    stage,
    complaintDefinition: 'The repair',
    decision: 'not-upheld',
    reasons: 'The reasons.',
    remedy: 'none',
    outstandingActions: 'none',
    escalationRoute: defaultEscalationRoute(profile, stage),
    ...extra,
  };
}

/** Six kinds of closed case received on a London date: the population's mix. */
function variants(day: string): CaseEvent[][] {
  const at = (offset: number, hour = 10) => londonWallClockToInstant(addCalendarDays(day, offset), hour, 0);
  const received = (channel: 'web' | 'phone' | 'email'): CaseEvent => ({
    type: 'received',
    at: at(0, 9),
    by: resident,
    reference: 'R',
    channel,
    complainant: { name: 'Bench Resident', email: 'bench@resident.example', preferredContact: 'email' },
    complaint: { whatHappened: 'The repair is late.', outcomeWanted: 'Fix it' },
  });
  const triage: CaseEvent = { type: 'triaged', at: at(0), by: handler, outcome: 'complaint' };
  const ack = (stage: 1 | 2, offset: number): CaseEvent => ({
    type: 'acknowledged',
    stage,
    at: at(offset),
    by: stage === 1 ? handler : reviewer,
    definition: 'The repair',
    outcomesSought: ['Fix it'],
  });
  const satisfied = (offset: number): CaseEvent => ({
    type: 'closed',
    at: at(offset),
    by: handler,
    reason: 'resolved-at-stage-1',
    residentSatisfied: 'Said so on the phone',
  });
  return [
    [
      received('web'),
      triage,
      ack(1, 2),
      { type: 'response-issued', stage: 1, at: at(10), by: handler, letter: letter(1, {}) },
      satisfied(12),
    ],
    [
      received('phone'),
      triage,
      ack(1, 1),
      {
        type: 'extension-granted',
        stage: 1,
        at: at(3),
        by: handler,
        workingDays: 5,
        reason: 'Waiting for information from a third party',
        explanation: 'The contractor',
      },
      {
        type: 'response-issued',
        stage: 1,
        at: at(19),
        by: handler,
        letter: letter(1, { decision: 'upheld', remedy: { description: '£50', compensationPounds: 50 } }),
      },
      satisfied(21),
    ],
    [
      received('email'),
      triage,
      ack(1, 3),
      {
        type: 'response-issued',
        stage: 1,
        at: at(14),
        by: handler,
        letter: letter(1, { decision: 'partly-upheld', remedy: { description: 'An apology' } }),
      },
      { type: 'escalation-requested', at: at(17), by: resident },
      ack(2, 19),
      {
        type: 'response-issued',
        stage: 2,
        at: at(40),
        by: reviewer,
        letter: letter(2, { decision: 'upheld', remedy: { description: '£100', compensationPounds: 100 } }),
      },
      { type: 'closed', at: at(41), by: reviewer, reason: 'final-response-issued' },
    ],
    [
      received('web'),
      { type: 'triaged', at: at(0), by: handler, outcome: 'service-request', notes: 'Repair booked' },
    ],
    [
      received('phone'),
      {
        type: 'triaged',
        at: at(0),
        by: handler,
        outcome: 'not-accepted',
        exclusionCode: 'legal-proceedings',
        rationale: 'A claim was filed at court.',
        ombudsmanRoute: defaultNonAcceptanceRoute(profile),
        legalProceedings: { court: 'County Court at Leeds' },
      },
    ],
    [received('email'), triage, ack(1, 2), { type: 'withdrawn', at: at(5), by: resident }],
  ];
}

// One folded case per kind and day of the year; each generated case is a copy under its own id and reference.
const templates: CaseState[] = [];
for (let day = year.from; day <= year.to; day = addCalendarDays(day, 1)) {
  for (const events of variants(day)) templates.push(foldCase('template', events, ctx));
}

const dynamo = await startDynalite();
const tableName = await dynamo.createTable('complaints-bench-report');
const client = dynamo.client();
const documents = createDocumentClient(client);

const generated = performance.now();
let written = 0;
let next = 0;
async function writer(): Promise<void> {
  for (;;) {
    const batch: Record<string, unknown>[] = [];
    while (batch.length < 200 && next < total) {
      const n = next++;
      const template = templates[n % templates.length] as CaseState;
      const caseId = `bench-${String(n).padStart(6, '0')}`;
      batch.push(...factItems({ ...template, caseId, reference: `CMP-2026-${String(n).padStart(6, '0')}` }));
    }
    if (batch.length === 0) return;
    await batchPutItems(documents, tableName, batch);
    written += batch.length;
  }
}
await Promise.all(Array.from({ length: 8 }, writer));
console.log(
  `Generated ${total.toLocaleString('en-GB')} closed cases (${written.toLocaleString('en-GB')} reporting-fact items) in ${Math.round((performance.now() - generated) / 1000)} s (not timed)`,
);

let itemsRead = 0;
let queries = 0;
client.middlewareStack.add(
  (next) => async (args) => {
    const result = await next(args);
    const output = result.output as
      | { Count?: number; Items?: unknown[]; Responses?: Record<string, unknown[]> }
      | undefined;
    if (Array.isArray(output?.Items)) {
      itemsRead += output.Count ?? output.Items.length;
      queries++;
    }
    for (const items of Object.values(output?.Responses ?? {})) itemsRead += items.length;
    return result;
  },
  { step: 'initialize', name: 'countItems' },
);

const repository = new DynamoDbCaseStore(tableName, documents);
const reporting = new DynamoDbReportingStore(tableName, documents);
const deps = { repository, reporting, context: ctx };
const manager = { kind: 'staff', id: 'bench-manager', role: 'manager' } as const;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** Times one run, with the items it read and the peak memory while it ran. */
async function timed<T>(
  label: string,
  run: () => Promise<T>,
  target = true,
): Promise<{ result: T; ms: number }> {
  global.gc?.();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 10);
  const [itemsBefore, queriesBefore] = [itemsRead, queries];
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await run();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  const after = process.memoryUsage();
  peakRss = Math.max(peakRss, after.rss);
  peakHeap = Math.max(peakHeap, after.heapUsed);
  console.log(`${label}`);
  const verdict = target ? ` (target 5 s: ${ms <= 5000 ? 'met' : 'missed'})` : ' (scheduled, not a request)';
  console.log(`  time          ${(ms / 1000).toFixed(2)} s${verdict}`);
  // The process's own CPU time (dynalite runs in it too): what the time would be with a core to itself.
  console.log(
    `  CPU time      ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (user and system, this process)`,
  );
  console.log(
    `  items read    ${(itemsRead - itemsBefore).toLocaleString('en-GB')} (${queries - queriesBefore} Query pages, and one BatchGetItem of the months)`,
  );
  console.log(
    `  peak memory   RSS ${mib(peakRss)} (${mib(baseline.rss)} before), heap ${mib(peakHeap)} (${mib(baseline.heapUsed)} before)`,
  );
  return { result, ms };
}

const reportYearStart = year.from.slice(0, 4);
// The day after the year: every one of its months is closed, so the daily run builds them all.
const clock = { now: () => new Date('2027-04-02T06:30:00Z') };
const daily = { repository, clock, context: ctx };
const describeRun = (run: ReportMonthsRun) =>
  `  months built  ${run.built.length} of ${run.months} closed (${run.unsettled.length} changed too recently to store, ${run.left.length} left for the next run)`;
// 1. The daily run (the scheduled report-months function): builds each closed month's tally from its facts,
// which is what the first report read cold before it ran.
const firstRun = await timed(
  'The daily run, first time (every closed month built from its facts, off the request path):',
  () => refreshReportMonths(daily),
  false,
);
console.log(describeRun(firstRun.result));
// 2. The report as staff ask for it on any day after a daily run.
const cold = await timed('Annual report after the daily run:', () =>
  viewAnnualReport(deps, manager, reportYearStart),
);
// 3. Again: nothing changed since.
await timed('Annual report, months cached:', () => viewAnnualReport(deps, manager, reportYearStart));
// 4. One case changes (a note, a new projection): the months it dates anything in are read again until the next
// daily run.
const changed = templates[2] as CaseState;
const noted = applyCaseEvent(
  { ...changed, caseId: 'bench-000002', reference: 'CMP-2026-000002' },
  { type: 'note-added', at: changed.closedAt ?? changed.receivedAt, by: handler, text: 'Checked' },
  ctx,
);
await repository.saveProjection(noted, { contacts: [], names: [] });
const afterChange = await timed(
  `Annual report after one case changed, before the next daily run (its ${factMonths(caseFacts(noted)).length} months read again):`,
  () => viewAnnualReport(deps, manager, reportYearStart),
);
// 5. The next daily run, once the change has settled (5 s: a month changed more recently is not stored).
await new Promise((resolve) => setTimeout(resolve, 5_500));
const nextRun = await timed(
  'The next daily run (the changed months built again):',
  () => refreshReportMonths(daily),
  false,
);
console.log(describeRun(nextRun.result));
await timed('Annual report after the next daily run:', () =>
  viewAnnualReport(deps, manager, reportYearStart),
);
// 6. The same year's figures as GET /staff/reports gives them (JSON), months cached.
const json = await timed('GET /staff/reports for the year (JSON), months cached:', () =>
  staffReport({ repository, clock, context: ctx }, 'manager', year),
);
const exact = JSON.stringify(afterChange.result.content.figures) === JSON.stringify(json.result.figures);
const { tsm, counts } = cold.result.content.figures;
console.log(
  `Figures (${profile.id}): stage 1 received ${counts.stage1Received}, CH01_1 ${tsm.CH01_1.value?.toFixed(1)}, CH02_1 ${tsm.CH02_1.value?.toFixed(1)}%, CH02_1 with extensions ${tsm.CH02_1_withExtensions.value?.toFixed(1)}%; the report and GET /staff/reports agree: ${exact}`,
);
await dynamo.stop();
