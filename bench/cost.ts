/**
 * What a complaint costs in AWS (eu-west-2), path by path, from counts taken on the local runtime: each path of
 * test/workflow/cost-paths.ts (the ones the transitions test asserts) runs on the real ASL, dynalite and the SES
 * emulator, and every DynamoDB request, email and Task state is counted. Then the fixed monthly cost of one
 * provider's stacks, counted from the synthesized templates (KMS keys, alarms, dashboard, secrets, Cognito,
 * WAF when on), with every schedule in them priced from a month of its job's runs on an empty table
 * (bench/fixed-cost.ts, bench/scheduled-jobs.ts).
 *
 * Counted: state transitions; Lambda invocations (one per Task state entered, and one per intake or staff
 * action through the API); DynamoDB read and write request units by AWS's size rules, index writes included;
 * emails sent. Modelled (the local runtime has no KMS, Secrets Manager or cold starts): every invocation is a
 * cold start, which is what a landlord's volume gives (10,000 complaints a year is about one function call every
 * few minutes, spread over a dozen functions), so each pays an init, reads the app secret once (one Secrets
 * Manager call, one KMS decrypt) and has DynamoDB fetch the table key once (one KMS call); GB-s is that init
 * plus a handler's run at the functions' 512 MB. Logs are modelled too: about 2 KB of JSON lines per invocation
 * and, with the state machine's logging at ALL, about 1.5 KB per transition. So is a digest's mark on each task
 * of a role that takes new tasks as a digest (the paths act before the next morning's digest). Not counted per
 * complaint: the scheduled jobs' runs (in the fixed cost, on an empty table; their digest emails, at most one
 * per digest role a working day, are not), page views (staff reading the queue and the case, residents their
 * case page), HTTP API and CloudFront requests (about $1 per million each), the per-complaint logs' storage, and
 * with WAF on the API functions' second secret read (the origin header's: one more Secrets Manager call and KMS
 * decrypt per API invocation). X-Ray is off by default (the profile's `features.xrayTracing`, ADR 0020): its traces
 * are priced beside the default total, as "with tracing on", per complaint and in the fixed cost.
 *
 * Prices and the request-unit rules: bench/cost-model.ts (the cost-target test prices with the same code).
 *
 * Run: npm run bench:cost [-- --staff 10]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listPresetIds, loadProfile } from '#shared/policy/load-profile.ts';
import { COST_PATHS } from '../test/workflow/cost-paths.ts';
import { COMPLAINTS_A_YEAR, type PathCost, pricePath, targetLine } from './cost-model.ts';
import { type KeptResources, keptResources, priceScheduledJobs, synthTemplates } from './fixed-cost.ts';
import { measureScheduledJobs, scheduledJobsIn } from './scheduled-jobs.ts';

const { values } = parseArgs({ options: { staff: { type: 'string', default: '10' } } });
const staffUsers = Number(values.staff);

const rows: PathCost[] = [];
for (const path of COST_PATHS) rows.push(await pricePath(path));

const money = (n: number, digits = 6) => `$${n.toFixed(digits)}`;
/** A table's column names said in words, under it. */
const legend = (...lines: string[]) => console.log(`\n${lines.map((line) => `  ${line}`).join('\n')}`);
const table = (head: string[], body: string[][]) => {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
};

console.log(
  "\nCounts per path (the daily run and the driver's own reads left out; a digest's mark on each task modelled; every invocation a cold start)\n",
);
console.log(
  table(
    [
      'path',
      'events',
      'transitions',
      'invocations',
      'GB-s',
      'DynamoDB calls',
      'of which refused',
      'calls/event',
      'digest marks',
      'RRU',
      'WRU',
      'index WRU',
      'emails (letters+staff)',
      'KMS',
      'Secrets',
    ],
    rows.map((r) => [
      r.name,
      String(r.businessEvents),
      String(r.transitions),
      String(r.invocations),
      r.gbSeconds.toFixed(2),
      String(r.dynamoCalls),
      String(r.refused),
      (r.dynamoCalls / r.businessEvents).toFixed(1),
      String(r.digestMarks),
      r.read.toFixed(1),
      String(r.write),
      String(r.indexWrite),
      `${r.emails - r.staffAlerts}+${r.staffAlerts}`,
      String(r.kmsCalls),
      String(r.secretsCalls),
    ]),
  ),
);
legend(
  'events: business events on the case (intake, staff and resident actions); transitions: Step Functions state transitions; invocations: Lambda calls (Task states, API actions);',
  'GB-s: Lambda compute, gigabyte-seconds (each invocation a cold start: init + handler at 512 MB); DynamoDB calls: requests made, digest marks not included;',
  'of which refused: conditional writes DynamoDB refused (still charged: one unit per KB of the item already there); calls/event: DynamoDB calls / events;',
  "digest marks: one UpdateItem per task of a digest role when the morning's digest marks it announced (modelled; in WRU, not in DynamoDB calls);",
  'RRU, WRU: read and write request units on the table (by AWS size rules); index WRU: write units on its indexes; emails: resident letters + staff emails;',
  'KMS, Secrets: modelled calls (a cold start reads the app secret once and decrypts it, and DynamoDB fetches the table key once).',
);
console.log('\nCost per complaint, eu-west-2 (USD)\n');
console.log(
  table(
    [
      'path',
      'transitions',
      'Lambda',
      'DynamoDB',
      'emails',
      'KMS',
      'Secrets',
      'logs',
      'total',
      `per ${COMPLAINTS_A_YEAR.toLocaleString('en-GB')} a year`,
      'traces',
      'X-Ray',
      'total, tracing on',
    ],
    rows.map((r) => [
      r.name,
      money(r.dollars.transitions ?? 0),
      money(r.dollars.lambda ?? 0),
      money(r.dollars.dynamodb ?? 0),
      money(r.dollars.emails ?? 0),
      money(r.dollars.kms ?? 0),
      money(r.dollars.secrets ?? 0),
      money(r.dollars.logs ?? 0),
      money(r.total),
      money(r.total * COMPLAINTS_A_YEAR, 2),
      String(r.traces),
      money(r.xrayWhenOn),
      money(r.totalWithTracing),
    ]),
  ),
);
legend(
  `Each column is the path's calls at list price (bench/cost-model.ts); Secrets, KMS: the modelled cold-start calls; logs: ingestion only; total: one complaint;`,
  `per ${COMPLAINTS_A_YEAR.toLocaleString('en-GB')} a year: the total times ${COMPLAINTS_A_YEAR.toLocaleString('en-GB')}, as if every complaint took that path;`,
  "traces, X-Ray, total, tracing on: only with the profile's features.xrayTracing (off by default, ADR 0020): one trace per API invocation and one for the execution.",
);
const full = rows.find((r) => r.name === 'full two-stage');
if (full) console.log(`\n${targetLine(full)}`);

// The fixed monthly cost: what the synthesized stacks hold (bench/fixed-cost.ts), without bundling the
// functions (their code costs nothing to keep), and what their schedules run on an empty table, measured once
// on the local runtime (bench/scheduled-jobs.ts; every provider runs the same jobs). Every preset has WAF and
// X-Ray tracing off; the WAF and tracing rows are code-baseline with each switched on.
interface Fixed extends KeptResources {
  provider: string;
  scheduled: number;
}
const baselineJobs = scheduledJobsIn(synthTemplates('code-baseline'));
const measured = await measureScheduledJobs(baselineJobs);
const scheduledLines = priceScheduledJobs(baselineJobs, measured);
function fixedCost(provider: string, label = provider): Fixed {
  const templates = synthTemplates(provider);
  const kept = keptResources(templates, staffUsers);
  const scheduled = priceScheduledJobs(scheduledJobsIn(templates), measured).reduce(
    (sum, line) => sum + line.total,
    0,
  );
  return { ...kept, provider: label, scheduled, total: kept.total + scheduled };
}

const fixedRows: Fixed[] = [];
for (const id of listPresetIds()) {
  try {
    fixedRows.push(fixedCost(id));
  } catch (error) {
    // A preset that departs from the Code unexplained cannot be deployed, so it has no cost.
    if (!(error instanceof Error && /departs from the Code/.test(error.message))) throw error;
  }
}
const withWaf = join(mkdtempSync(join(tmpdir(), 'bench-cost-')), 'code-baseline-waf.json');
const baseline = loadProfile('code-baseline');
writeFileSync(withWaf, JSON.stringify({ ...baseline, features: { ...baseline.features, waf: true } }));
fixedRows.push(fixedCost(withWaf, 'code-baseline, WAF on'));
const withTracing = join(mkdtempSync(join(tmpdir(), 'bench-cost-')), 'code-baseline-xray.json');
writeFileSync(
  withTracing,
  JSON.stringify({ ...baseline, features: { ...baseline.features, xrayTracing: true } }),
);
fixedRows.push(fixedCost(withTracing, 'code-baseline, X-Ray tracing on'));
const tracedLines = priceScheduledJobs(scheduledJobsIn(synthTemplates(withTracing)), measured);

console.log(`\nFixed monthly cost per provider (USD; Cognito Plus at ${staffUsers} active staff)\n`);
console.log(
  table(
    [
      'provider',
      'KMS keys',
      'alarms',
      'dashboards',
      'secrets',
      'user pools',
      'web ACLs',
      'WAF rules',
      'scheduled jobs',
      'a month',
    ],
    fixedRows.map((f) => [
      f.provider,
      String(f.keys),
      String(f.alarms),
      String(f.dashboards),
      String(f.secrets),
      String(f.userPools),
      String(f.webAcls),
      String(f.wafRules),
      money(f.scheduled, 4),
      money(f.total, 2),
    ]),
  ),
);
legend(
  'Counted from the synthesized templates: each kept resource at its monthly price; scheduled jobs: the table below; a month: the whole fixed cost.',
  "Left out: the table's and buckets' storage, point-in-time recovery, the backups' storage, SES receiving when on, WAF's per-request charge and log",
  'growth beyond the modelled ingestion (docs/deployment.md, "What a landlord pays").',
);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const traced = (line: (typeof scheduledLines)[number]) => tracedLines.find((t) => t.job === line.job);
console.log(
  `\nScheduled jobs a month (code-baseline; each run a cold start on an empty table, counted on the local runtime over 28 days from Monday 16 February 2026; handler ms measured here, load ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')})\n`,
);
console.log(
  table(
    [
      'job',
      'schedule',
      'runs',
      'MB',
      'handler ms',
      'GB-s',
      'DynamoDB calls',
      'RRU',
      'WRU',
      'SFN calls',
      'emails',
      'KMS',
      'Secrets',
      'log KB',
      'stored KB',
      'Lambda',
      'Scheduler',
      'DynamoDB',
      'KMS+Secrets',
      'logs',
      'a month',
      'traces (on)',
      'X-Ray (on)',
    ],
    scheduledLines.map((line) => [
      line.job,
      line.expression,
      line.runs.toFixed(1),
      String(line.memoryMb),
      line.handlerMs.toFixed(1),
      line.gbSeconds.toFixed(1),
      line.dynamoCalls.toFixed(0),
      line.read.toFixed(1),
      line.write.toFixed(1),
      line.stepFunctionsCalls.toFixed(0),
      line.emails.toFixed(0),
      line.kmsCalls.toFixed(0),
      line.secretsCalls.toFixed(0),
      kb(line.logBytes),
      kb(line.storedBytes),
      money(line.dollars.lambda ?? 0),
      money(line.dollars.scheduler ?? 0),
      money(line.dollars.dynamodb ?? 0),
      money((line.dollars.kms ?? 0) + (line.dollars.secrets ?? 0)),
      money(line.dollars.logs ?? 0),
      money(line.total),
      (traced(line)?.traces ?? 0).toFixed(0),
      money(traced(line)?.dollars.xray ?? 0),
    ]),
  ),
);
legend(
  'runs: a month, from the cron; MB: memory; handler ms: one run here; GB-s: compute a month, each run a cold start; RRU, WRU: read and write request units;',
  'SFN calls: Step Functions API calls; KMS, Secrets: cold-start calls; log KB: ingested a month; stored KB: kept for the retention; then USD a month;',
  "traces (on), X-Ray (on): what X-Ray records and costs a month with the profile's features.xrayTracing (off by default, ADR 0020), not in 'a month'.",
);
const typical = fixedRows.find((f) => f.provider === 'code-baseline');
const tracedFixed = fixedRows.find((f) => f.provider === 'code-baseline, X-Ray tracing on');
if (full && typical && tracedFixed) {
  const year = typical.total * 12 + full.total * COMPLAINTS_A_YEAR;
  const tracedYear = tracedFixed.total * 12 + full.totalWithTracing * COMPLAINTS_A_YEAR;
  console.log(
    `\nA year at ${COMPLAINTS_A_YEAR.toLocaleString('en-GB')} full two-stage complaints (code-baseline, WAF and X-Ray tracing off): ${money(year, 2)} (${money(typical.total * 12, 2)} fixed + ${money(full.total * COMPLAINTS_A_YEAR, 2)} for the complaints, ${money(full.total)} each).`,
  );
  console.log(
    `With X-Ray tracing on: ${money(tracedYear, 2)} (${money(tracedFixed.total * 12, 2)} fixed + ${money(full.totalWithTracing * COMPLAINTS_A_YEAR, 2)} for the complaints, ${money(full.totalWithTracing)} each).`,
  );
}
