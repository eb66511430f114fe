/**
 * What a complaint costs in AWS (eu-west-2), path by path, from counts taken on the local runtime: each path of
 * test/workflow/cost-paths.ts (the ones the transitions test asserts) runs on the real ASL, dynalite and the SES
 * emulator, and every DynamoDB request, email and Task state is counted. Then the fixed monthly cost of one
 * provider's stacks, counted from the synthesized templates (KMS keys, alarms, dashboard, secrets, Cognito,
 * WAF when on).
 *
 * Counted: state transitions; Lambda invocations (one per Task state entered, and one per intake or staff
 * action through the API); DynamoDB read and write request units by AWS's size rules, index writes included;
 * emails sent. Modelled (the local runtime has no KMS, Secrets Manager or cold starts): every invocation is a
 * cold start, which is what a landlord's volume gives (10,000 complaints a year is about one function call every
 * few minutes, spread over a dozen functions), so each pays an init, reads the app secret once (one Secrets
 * Manager call, one KMS decrypt) and has DynamoDB fetch the table key once (one KMS call); GB-s is that init
 * plus a handler's run at the functions' 512 MB. Logs are modelled too: about 2 KB of JSON lines per invocation
 * and, with the state machine's logging at ALL, about 1.5 KB per transition. So is a digest's mark on each task
 * of a role that takes new tasks as a digest (the paths act before the next morning's digest). Not counted: the
 * daily run's reads and its digest emails (a fixed cost whatever the number of cases), page views (staff
 * reading the queue and the case, residents their case page), HTTP API and CloudFront requests (about $1 per
 * million each), log storage, and with WAF on the API functions' second secret read (the origin header's: one
 * more Secrets Manager call and KMS decrypt per API invocation).
 *
 * Prices: eu-west-2 (London) on-demand list prices, as published on these pages when this file was written
 * (2026-12-07; the rates were not re-read from this machine, which is offline: check them before quoting):
 * - Step Functions https://aws.amazon.com/step-functions/pricing/ : $0.025 per 1,000 state transitions
 * - Lambda https://aws.amazon.com/lambda/pricing/ : Arm $0.0000133334 per GB-s, $0.20 per million requests
 * - DynamoDB https://aws.amazon.com/dynamodb/pricing/on-demand/ : $0.7425 per million write request units,
 *   $0.1485 per million read request units (the rates after the November 2024 on-demand price cut)
 * - SES https://aws.amazon.com/ses/pricing/ : $0.10 per 1,000 emails sent
 * - KMS https://aws.amazon.com/kms/pricing/ : $1 per customer managed key a month, $0.03 per 10,000 requests
 * - Secrets Manager https://aws.amazon.com/secrets-manager/pricing/ : $0.40 per secret a month, $0.05 per
 *   10,000 API calls
 * - CloudWatch https://aws.amazon.com/cloudwatch/pricing/ : $0.10 per standard alarm a month, $3 per dashboard,
 *   $0.5985 per GB of logs ingested
 * - Cognito https://aws.amazon.com/cognito/pricing/ : Plus feature plan, $0.02 per monthly active user
 * - WAF https://aws.amazon.com/waf/pricing/ : $5 per web ACL and $1 per rule a month, $0.60 per million requests
 *
 * Run: npm run bench:cost [-- --staff 10]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GLOBAL_SECONDARY_INDEXES } from '#shared/adapters/table-design.ts';
import { listPresetIds, loadProfile } from '#shared/policy/load-profile.ts';
import { buildApp } from '../infra/app.ts';
import { COST_PATHS, countPath, type DynamoCall, notThePath } from '../test/workflow/cost-paths.ts';

const { values } = parseArgs({ options: { staff: { type: 'string', default: '10' } } });
const staffUsers = Number(values.staff);

const PRICE = {
  transition: 0.025 / 1_000,
  gbSecond: 0.0000133334,
  request: 0.2 / 1_000_000,
  writeUnit: 0.7425 / 1_000_000,
  readUnit: 0.1485 / 1_000_000,
  email: 0.1 / 1_000,
  kmsRequest: 0.03 / 10_000,
  kmsKey: 1,
  secretsCall: 0.05 / 10_000,
  secret: 0.4,
  alarm: 0.1,
  dashboard: 3,
  cognitoMau: 0.02,
  webAcl: 5,
  wafRule: 1,
  logGb: 0.5985,
} as const;

/** The functions' memory (house-function.ts), and a cold start's modelled init and a handler's run. */
const MEMORY_GB = 0.5;
const INIT_SECONDS = 0.45;
const RUN_SECONDS = 0.15;
const LOG_KB_PER_INVOCATION = 2;
const LOG_KB_PER_TRANSITION = 1.5;
const TARGET_PER_CASE = 0.0012;
const COMPLAINTS_A_YEAR = 10_000;

// DynamoDB's item size rules (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
// names and strings by their UTF-8 length, numbers about one byte per two digits plus one, a list or map 3 bytes
// plus 1 per element.
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
function valueSize(value: unknown): number {
  if (value === undefined) return 0;
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return Math.ceil(String(value).replace(/[-.]/g, '').length / 2) + 1;
  if (typeof value === 'string') return bytes(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueSize(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueSize(v), 0);
  return 3 + Object.entries(value).reduce((sum, [k, v]) => sum + 1 + bytes(k) + valueSize(v), 0);
}
type Item = Record<string, unknown>;
const itemSize = (item: Item) =>
  Object.entries(item).reduce((sum, [k, v]) => (v === undefined ? sum : sum + bytes(k) + valueSize(v)), 0);
const writeUnits = (size: number) => Math.max(1, Math.ceil(size / 1024));
const keyOf = (item: Item) => `${item.pk}\u0000${item.sk}`;

/** The part of an item an index holds: its keys, the table's keys and the attributes it includes. */
function indexed(index: (typeof GLOBAL_SECONDARY_INDEXES)[number], item: Item | undefined): Item | undefined {
  if (!item || item[index.partitionKey] === undefined || item[index.sortKey] === undefined) return undefined;
  const names = ['pk', 'sk', index.partitionKey, index.sortKey, ...index.include];
  return Object.fromEntries(
    names.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]),
  );
}

/**
 * Request units for the calls, in order. Items written are remembered, so a put is charged on the larger of the
 * old and new item and each index on what it holds before and after (a changed index key is a delete and a put).
 */
function requestUnits(calls: readonly DynamoCall[]): { read: number; write: number; indexWrite: number } {
  const stored = new Map<string, Item>();
  let read = 0;
  let write = 0;
  let indexWrite = 0;
  const charge = (before: Item | undefined, after: Item | undefined) => {
    write += writeUnits(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0));
    for (const index of GLOBAL_SECONDARY_INDEXES) {
      const old = indexed(index, before);
      const now = indexed(index, after);
      if (!old && !now) continue;
      const sameKey =
        old &&
        now &&
        old[index.partitionKey] === now[index.partitionKey] &&
        old[index.sortKey] === now[index.sortKey];
      if (sameKey) indexWrite += writeUnits(Math.max(itemSize(old), itemSize(now)));
      else indexWrite += (old ? writeUnits(itemSize(old)) : 0) + (now ? writeUnits(itemSize(now)) : 0);
    }
    if (after) stored.set(keyOf(after), after);
  };
  const readUnits = (size: number, consistent: boolean) =>
    Math.max(1, Math.ceil(size / 4096)) * (consistent ? 1 : 0.5);
  for (const { operation, input, output } of calls) {
    switch (operation) {
      case 'GetItem': {
        const item = output.Item as Item | undefined;
        read += readUnits(item ? itemSize(item) : 0, input.ConsistentRead === true);
        break;
      }
      case 'Query':
      case 'Scan': {
        const size = ((output.Items as Item[] | undefined) ?? []).reduce(
          (sum, item) => sum + itemSize(item),
          0,
        );
        read += readUnits(size, input.ConsistentRead === true && !input.IndexName);
        break;
      }
      case 'BatchGetItem': {
        for (const [table, items] of Object.entries((output.Responses as Record<string, Item[]>) ?? {})) {
          const consistent = (input.RequestItems as Record<string, { ConsistentRead?: boolean }>)[table]
            ?.ConsistentRead;
          for (const item of items) read += readUnits(itemSize(item), consistent === true);
        }
        break;
      }
      case 'PutItem': {
        const item = input.Item as Item;
        charge(stored.get(keyOf(item)), item);
        break;
      }
      case 'UpdateItem': {
        const key = input.Key as Item;
        const before = stored.get(keyOf(key));
        // The item after the update: returned whole only with ALL_NEW (a projection save asks for the old one).
        const after =
          input.ReturnValues === 'ALL_NEW'
            ? (output.Attributes as Item)
            : updated(before, key, input as Item);
        charge(before, after);
        break;
      }
      case 'DeleteItem': {
        charge(stored.get(keyOf(input.Key as Item)), undefined);
        stored.delete(keyOf(input.Key as Item));
        break;
      }
      case 'BatchWriteItem': {
        for (const requests of Object.values(input.RequestItems as Record<string, Item[]>)) {
          for (const request of requests) {
            const put = (request.PutRequest as { Item: Item } | undefined)?.Item;
            if (put) charge(stored.get(keyOf(put)), put);
          }
        }
        break;
      }
      case 'TransactWriteItems': {
        // A transactional write costs two units per KB of each item.
        const before = write + indexWrite;
        for (const entry of input.TransactItems as Item[]) {
          const put = (entry.Put as { Item: Item } | undefined)?.Item;
          if (put) charge(stored.get(keyOf(put)), put);
        }
        const spent = write + indexWrite - before;
        write += spent;
        break;
      }
      default:
        throw new Error(`The bench cannot price DynamoDB ${operation}: add its rule`);
    }
  }
  return { read, write, indexWrite };
}

/** An update without its new image: the old item, with index keys it removes gone and those it sets present. */
function updated(before: Item | undefined, key: Item, input: Item): Item {
  const expression = String(input.UpdateExpression);
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Item;
  const name = (token: string) => names[token] ?? token;
  const next: Item = { ...(before ?? key) };
  // `SET a = :a, #b = :b` takes the values as written (a projection save sets the whole state this way);
  // anything computed (list_append, if_not_exists, ADD) keeps the attribute as it was.
  const set = /SET (.*?)(?: REMOVE | ADD |$)/i.exec(expression)?.[1] ?? '';
  for (const assignment of set.split(',')) {
    const [target, value] = assignment.split('=').map((part) => part.trim());
    if (target && value && /^:\w+$/.test(value) && value in values) next[name(target)] = values[value];
  }
  const removed = /REMOVE (.*?)(?: SET | ADD |$)/i.exec(expression)?.[1] ?? '';
  for (const target of removed.split(',').map((part) => part.trim())) if (target) delete next[name(target)];
  for (const index of GLOBAL_SECONDARY_INDEXES) {
    if (
      next[index.partitionKey] === undefined &&
      new RegExp(`SET .*${index.partitionKey} =`).test(expression)
    ) {
      next[index.partitionKey] = 'set';
      next[index.sortKey] ??= 'set';
    }
  }
  return next;
}

/**
 * The calls with a digest's mark on each staff task of a role that takes new tasks as a digest (an UpdateItem
 * setting `announcedAt`, as `sendTaskDigests` does), right after the task's first write. Modelled: the paths act
 * on each task at once, before the next working morning's digest would list it. The digest email is shared by
 * the day's tasks of every case (a fixed cost, like the daily run's reads).
 */
function withDigestMarks(
  calls: readonly DynamoCall[],
  digestRoles: ReadonlySet<string>,
): { calls: DynamoCall[]; marks: number } {
  let marks = 0;
  const marked = calls.flatMap((call): DynamoCall[] => {
    const task = call.operation === 'PutItem' ? (call.input.Item as Item) : undefined;
    if (!task || !String(task.pk).startsWith('TASK#') || !digestRoles.has(String(task.role))) return [call];
    marks++;
    const at = String(task.createdAt);
    const mark = {
      operation: 'UpdateItem',
      input: {
        Key: { pk: task.pk, sk: task.sk },
        UpdateExpression: 'SET announcedAt = :at',
        ExpressionAttributeValues: { ':at': at },
      },
      output: { Attributes: { ...task, announcedAt: at } },
    };
    return [call, mark];
  });
  return { calls: marked, marks };
}

interface PathCost {
  name: string;
  businessEvents: number;
  transitions: number;
  invocations: number;
  gbSeconds: number;
  dynamoCalls: number;
  digestMarks: number;
  read: number;
  write: number;
  indexWrite: number;
  emails: number;
  staffAlerts: number;
  kmsCalls: number;
  secretsCalls: number;
  dollars: Record<string, number>;
  total: number;
}

const rows: PathCost[] = [];
for (const path of COST_PATHS) {
  let calls: DynamoCall[] = [];
  let emails = 0;
  let staffAlerts = 0;
  const count = await countPath(path, (h, recorded) => {
    // The path's requests only: not the driver's reads, nor the daily run's (a fixed cost).
    calls = recorded;
    const mailer = h.deps.mailer;
    const send = mailer.send.bind(mailer);
    mailer.send = async (email) => {
      const sent = await send(email);
      // A digest the daily run sends covers every case's new tasks: a fixed cost, like its reads.
      if (notThePath()) return sent;
      emails++;
      // Resident letters carry their correspondence key; staff alerts and digests do not.
      if (!email.headers?.['X-Correspondence-Key']) staffAlerts++;
      return sent;
    };
  });
  const newTasks = loadProfile(path.profile).notifications.newTasks;
  const digestRoles = new Set(
    Object.keys(newTasks).filter((role) => newTasks[role as keyof typeof newTasks] === 'digest'),
  );
  const { calls: priced, marks } = withDigestMarks(calls, digestRoles);
  const units = requestUnits(priced);
  // Each intake or staff action is one API function invocation; each Task state one workflow invocation.
  const invocations = count.invocations + count.businessEvents;
  const gbSeconds = invocations * MEMORY_GB * (INIT_SECONDS + RUN_SECONDS);
  const secretsCalls = invocations;
  const kmsCalls = invocations * 2;
  const dollars = {
    transitions: count.transitions * PRICE.transition,
    lambda: gbSeconds * PRICE.gbSecond + invocations * PRICE.request,
    dynamodb: (units.write + units.indexWrite) * PRICE.writeUnit + units.read * PRICE.readUnit,
    emails: emails * PRICE.email,
    kms: kmsCalls * PRICE.kmsRequest,
    secrets: secretsCalls * PRICE.secretsCall,
    logs:
      ((invocations * LOG_KB_PER_INVOCATION + count.transitions * LOG_KB_PER_TRANSITION) / 1024 / 1024) *
      PRICE.logGb,
  };
  rows.push({
    name: path.name,
    businessEvents: count.businessEvents,
    transitions: count.transitions,
    invocations,
    gbSeconds,
    dynamoCalls: calls.length,
    digestMarks: marks,
    ...units,
    emails,
    staffAlerts,
    kmsCalls,
    secretsCalls,
    dollars,
    total: Object.values(dollars).reduce((a, b) => a + b, 0),
  });
}

const money = (n: number, digits = 6) => `$${n.toFixed(digits)}`;
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
    ]),
  ),
);
const full = rows.find((r) => r.name === 'full two-stage');
if (full) {
  const met = full.total <= TARGET_PER_CASE;
  console.log(
    `\nFull two-stage case: ${money(full.total)} against the target of ${money(TARGET_PER_CASE, 4)}: ${met ? 'met' : 'NOT met'}.`,
  );
}

// The fixed monthly cost: what the synthesized stacks hold, without bundling the functions (their code costs
// nothing to keep). Every preset has WAF off; the WAF row is code-baseline with it switched on.
interface Fixed {
  provider: string;
  keys: number;
  alarms: number;
  dashboards: number;
  secrets: number;
  userPools: number;
  webAcls: number;
  wafRules: number;
  total: number;
}
function fixedCost(provider: string, label = provider): Fixed {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'bench-cost-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const built = buildApp({ provider, account: '123456789012', region: 'eu-west-2' }, app);
  app.synth();
  const templates = [built.data, built.workflow, ...(built.edge ? [built.edge] : [])].map((stack) =>
    Template.fromStack(stack),
  );
  const countOf = (type: string) =>
    templates.reduce((sum, template) => sum + Object.keys(template.findResources(type)).length, 0);
  const webAcls = templates.flatMap((template) =>
    Object.values(template.findResources('AWS::WAFv2::WebACL')),
  );
  const wafRules = webAcls.reduce(
    (sum, acl) => sum + ((acl.Properties as { Rules?: unknown[] }).Rules?.length ?? 0),
    0,
  );
  const fixed = {
    provider: label,
    keys: countOf('AWS::KMS::Key'),
    alarms: countOf('AWS::CloudWatch::Alarm'),
    dashboards: countOf('AWS::CloudWatch::Dashboard'),
    secrets: countOf('AWS::SecretsManager::Secret'),
    userPools: countOf('AWS::Cognito::UserPool'),
    webAcls: webAcls.length,
    wafRules,
  };
  return {
    ...fixed,
    total:
      fixed.keys * PRICE.kmsKey +
      fixed.alarms * PRICE.alarm +
      fixed.dashboards * PRICE.dashboard +
      fixed.secrets * PRICE.secret +
      fixed.userPools * staffUsers * PRICE.cognitoMau +
      fixed.webAcls * PRICE.webAcl +
      fixed.wafRules * PRICE.wafRule,
  };
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
      money(f.total, 2),
    ]),
  ),
);
const typical = fixedRows.find((f) => f.provider === 'code-baseline');
if (full && typical) {
  const year = typical.total * 12 + full.total * COMPLAINTS_A_YEAR;
  console.log(
    `\nA year at ${COMPLAINTS_A_YEAR.toLocaleString('en-GB')} full two-stage complaints (code-baseline, WAF off): ${money(year, 2)} (${money(typical.total * 12, 2)} fixed + ${money(full.total * COMPLAINTS_A_YEAR, 2)} per complaint).`,
  );
}
