/**
 * Builds every Lambda function as the CDK does (bench/function-bundles.ts) and prints each bundle's size and its
 * cold-init time: `await import()` of the bundle in a fresh Node process, wall clock and CPU, each as a ratio to
 * a bundle that imports only the DynamoDB client. Runs are interleaved (every bundle once per round, in a shuffled order) and the
 * median of the rounds is taken, so load from other processes on the machine falls on all bundles alike.
 * Under the table it prints, per ratio (wall and CPU; init, and init + first request), how many functions are
 * over the 1.5× target and the worst one. Fewer than 7 rounds is a smoke run: the medians of so few rounds on a
 * loaded machine move by more than the margin, so quote the worst of two runs of 7 or more.
 * `--sdk bundled` bundles the locked AWS SDK into every function instead of leaving it to the runtime's copy
 * (ADR 0010 compares the two); the baseline is then bundled too. The Powertools tracer and the X-Ray SDK are
 * not loaded unless the stacks turn them on (`-c traceSdkCalls=true`, ADR 0015), and the inits here run with
 * the environment the stacks give by default; `--trace` sets TRACE_SDK_CALLS as the stacks then do, and each
 * init imports the tracer (from node_modules here, from the Powertools layer in Lambda, ADR 0011: not in the
 * sizes either way).
 *
 * A second figure, **init + first request**, shows work moved from init to the first request rather than cut:
 * the same process then invokes the function's handler once with a representative event (a workflow task's
 * input, an SES notification, an S3 notification, or its route's request, signed in as staff for a staff
 * route; a page function's first GET). DynamoDB is dynalite in this process (so its CPU is not counted, though
 * its answers are in the wall time), each cold start given a fresh table holding a real case
 * (test/workflow/first-request-tables.ts): a workflow function meets the table as it was when the state machine first
 * invoked it on that case, with that invocation's input as its event, so it reads the projection, events and
 * task and does its real work; every other function meets the case closed, and its routes name that case.
 * Every other AWS call (S3, SES, Step Functions) is answered `{}` by a stub endpoint in this process. The
 * baseline then does one GetItem of the case's projection the same way. Whatever the handler answers or throws
 * is part of the figure.
 *
 * `--contents` also prints what each bundle is made of: its largest packages and source folders.
 *
 * `--node <path>` runs the inits with another Node binary (by default this one): Lambda runs `nodejs24.x` (ADR 0004),
 * and Node 20's ESM loader costs more to import CommonJS packages such as the AWS SDK (ADR 0018), so the ratios
 * are worth reading on the runtime's major version too when one is at hand.
 *
 * Run: npm run bench:bundles [-- --rounds 7] [-- --sdk bundled] [-- --trace] [-- --contents] [-- --node <path>]
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { build } from 'esbuild';
import { TRACE_SDK_CALLS } from '../functions/lib/tracing.ts';
import type { RouteDefinition } from '../functions/routes.ts';
import { POWERTOOLS_LAYER } from '../infra/constructs/house-function.ts';
import {
  FirstRequestDynamo,
  firstRequestTables,
  type RawItem,
} from '../test/workflow/first-request-tables.ts';
import {
  BUNDLE_LIMIT_BYTES,
  bundleContents,
  bundleMakeup,
  functionBuildOptions,
  functionModules,
  ROOT,
  type SdkMode,
} from './function-bundles.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    sdk: { type: 'string', default: 'external' },
    contents: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    node: { type: 'string', default: process.execPath },
  },
});
const rounds = Number(values.rounds);
if (values.sdk !== 'external' && values.sdk !== 'bundled') throw new Error('--sdk is external or bundled');
const sdk: SdkMode = values.sdk;

// Inside the repository so the external @aws-sdk/* packages resolve from node_modules, as they do from the
// runtime's own copy in Lambda.
const OUT = join(ROOT, '.bench', 'bundles');
rmSync(OUT, { recursive: true, force: true });

async function bundle(name: string, entry: { file: string } | { contents: string }): Promise<string> {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'index.mjs');
  await build(functionBuildOptions(entry, { sdk, outfile }));
  return outfile;
}

const BASELINE = 'baseline: DynamoDB client only';
const functions = functionModules();
const files = new Map<string, string>();
files.set(
  BASELINE,
  await bundle('baseline', {
    contents: [
      "import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';",
      'export const client = new DynamoDBClient({});',
      // Its first request: one GetItem of the case's projection, from the same dynalite as each function's.
      'export const handler = () => client.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: JSON.parse(process.env.BENCH_KEY) }));',
    ].join('\n'),
  }),
);
for (const { name, module } of functions) {
  files.set(name, await bundle(name, { file: join(ROOT, 'functions', `${module}.ts`) }));
}

// The tables the first requests meet, from a real case run on the local runtime (before the stub and dynalite
// below start: it runs its own, on a virtual clock it removes when done).
const tables = await firstRequestTables();
const projection = tables.final.find(
  (item) => item.pk?.S?.includes(tables.caseId) && !item.sk?.S?.startsWith('EVENT#'),
);
if (!projection?.pk || !projection.sk) throw new Error('bench/bundles.ts found no item of the case to read');
const projectionKey = { pk: projection.pk, sk: projection.sk };

// DynamoDB: dynalite in this process, a fresh table for each cold start.
const dynamo = new FirstRequestDynamo();
await dynamo.start();
const dynamoEndpoint = dynamo.endpoint;

// The stub AWS endpoint for everything else (S3, SES, Step Functions): every call is answered `{}` at once,
// from this process, so a first request's CPU is the function's own.
const stub = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end('{}');
  });
});
await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;

// What a handler module reads at import time, and what its first request needs (the stacks' variables).
const profileFile = join(OUT, 'provider-profile.json');
writeFileSync(
  profileFile,
  JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'providers', 'code-baseline.json'), 'utf8'))),
);
const benchKey = 'bench-key-of-at-least-thirty-two-characters';
const env = {
  ...process.env,
  NODE_OPTIONS: '',
  AWS_REGION: 'eu-west-2',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_ENDPOINT_URL: endpoint,
  AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
  BENCH_KEY: JSON.stringify(projectionKey),
  TABLE_NAME: 'bench',
  PROVIDER_PROFILE_FILE: profileFile,
  POWERTOOLS_SERVICE_NAME: 'bench',
  POWERTOOLS_METRICS_NAMESPACE: 'bench',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-2:123456789012:stateMachine:bench',
  CONTACT_HASH_KEY: benchKey,
  LINK_SIGNING_KEY: benchKey,
  CSRF_KEY: benchKey,
  RESIDENT_BASE_URL: 'https://complaints.example',
  STAFF_BASE_URL: 'https://staff.example',
  STAFF_ALERT_EMAILS: JSON.stringify({
    handler: 'handler@example.org',
    reviewer: 'reviewer@example.org',
    manager: 'manager@example.org',
    admin: 'admin@example.org',
  }),
  LETTERS_BUCKET: 'bench-letters',
  SES_CONFIGURATION_SET: 'bench-configuration-set',
  ATTACHMENTS_BUCKET: 'bench-attachments',
  INBOUND_EMAIL_BUCKET: 'bench-inbound',
  [TRACE_SDK_CALLS]: values.trace ? 'true' : '',
};

const CASE_ID = tables.caseId;

/** A request to an HTTP function's route, as the HTTP API sends it; a staff route's carries a manager's claims. */
function httpEvent(route: RouteDefinition): unknown {
  const rawPath = route.path
    .replace(/\{proxy\+\}/, 'govuk/assets/images/favicon.ico')
    .replace(/\{[^}]+\}/g, CASE_ID);
  const staff = route.access === 'staff' || route.access === 'staff-page';
  const parameters = [...route.path.matchAll(/\{([^}+]+)\+?\}/g)].map(([, name]) => name as string);
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath,
    rawQueryString: '',
    headers: {
      host: 'bench.example',
      'content-type':
        route.access === 'staff-page' || !route.module.startsWith('api/')
          ? 'application/x-www-form-urlencoded'
          : 'application/json',
      'idempotency-key': 'bench-0001',
    },
    requestContext: {
      http: {
        method: route.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.10',
        userAgent: 'bench',
      },
      requestId: 'bench',
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      timeEpoch: 0,
      ...(staff
        ? {
            authorizer: {
              jwt: { claims: { sub: 'bench-manager', token_use: 'id', 'cognito:groups': ['manager'] } },
            },
          }
        : {}),
    },
    ...(parameters.length
      ? {
          pathParameters: Object.fromEntries(
            parameters.map((name) => [name, name === 'proxy' ? 'govuk/assets/images/favicon.ico' : CASE_ID]),
          ),
        }
      : {}),
    ...(route.method === 'POST' ? { body: route.module.startsWith('api/') ? '{}' : '' } : {}),
    isBase64Encoded: false,
  };
}

/** A representative first event for each function that is not an HTTP route. */
const EVENTS: Record<string, unknown> = {
  'record-receipt': { caseId: CASE_ID },
  'send-notifications': { caseId: CASE_ID },
  'register-task': { caseId: CASE_ID, step: 'triage', taskToken: 'bench-token' },
  'check-deadline': { caseId: CASE_ID, step: 'stage1-response' },
  'close-case': { caseId: CASE_ID },
  'send-digest': {},
  retention: {},
  'report-months': {},
  'ses-events': {
    Records: [{ Sns: { Message: JSON.stringify({ eventType: 'Delivery', mail: { headers: [] } }) } }],
  },
  // EventBridge's Object Created (functions/lib/s3-events.ts has every field).
  'email-intake': {
    version: '0',
    id: 'bench',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: '2026-12-07T09:00:00Z',
    region: 'eu-west-2',
    resources: ['arn:aws:s3:::bench-inbound'],
    detail: {
      version: '0',
      bucket: { name: 'bench-inbound' },
      object: { key: `inbound/${CASE_ID}`, size: 2 },
    },
  },
};

function firstEvent(name: string, route?: RouteDefinition): unknown {
  if (route) return httpEvent(route);
  const workflow = tables.workflow.get(name);
  if (workflow) return workflow.event;
  if (!(name in EVENTS))
    throw new Error(`bench/bundles.ts has no first event for ${name}: add one to EVENTS`);
  return EVENTS[name];
}

interface Sample {
  wall: number;
  cpu: number;
  /** Init and the first request together. */
  firstWall: number;
  firstCpu: number;
  /** What the first request answered: its HTTP status, `done`, or the name of what it threw. */
  answer?: string;
}

const run = promisify(execFile);

/**
 * Milliseconds to `await import()` the bundle in a fresh Node process, wall clock and CPU (user and system, all
 * the process's threads), then to that plus its handler's first invocation; NaN when the import throws. Init is
 * CPU work (reading cached files, compiling, running module bodies), so on a machine shared with other builds
 * its CPU time varies far less than its wall time, which waits for a core.
 */
async function coldStart(
  file: string,
  exportName: string,
  event: unknown,
  items: readonly RawItem[],
): Promise<Sample> {
  const tableName = await dynamo.table(items);
  const script = [
    'const cpu = process.cpuUsage(); const began = performance.now();',
    `const module = await import(${JSON.stringify(file)});`,
    'const wall = performance.now() - began; const used = process.cpuUsage(cpu);',
    "const context = { functionName: 'bench', functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:bench', memoryLimitInMB: '512', awsRequestId: 'bench', logGroupName: 'bench', logStreamName: 'bench', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 30000, done() {}, fail() {}, succeed() {} };",
    'let answer;',
    `try { const result = await module[${JSON.stringify(exportName)}](JSON.parse(process.env.BENCH_EVENT), context); answer = String(result?.statusCode ?? 'done'); } catch (error) { answer = \`threw \${error?.name}\`; }`,
    'const firstWall = performance.now() - began; const first = process.cpuUsage(cpu);',
    "console.log('\\nbench-cold-start', wall, (used.user + used.system) / 1000, firstWall, (first.user + first.system) / 1000, encodeURIComponent(answer));",
  ].join('\n');
  const failed = { wall: Number.NaN, cpu: Number.NaN, firstWall: Number.NaN, firstCpu: Number.NaN };
  try {
    const { stdout } = await run(values.node, ['--input-type=module', '-e', script], {
      env: { ...env, BENCH_EVENT: JSON.stringify(event), TABLE_NAME: tableName },
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    const line = stdout.split('\n').find((text) => text.startsWith('bench-cold-start '));
    if (!line) return failed;
    const [wall, cpu, firstWall, firstCpu] = line.split(' ').slice(1, 5).map(Number);
    return {
      wall: wall ?? Number.NaN,
      cpu: cpu ?? Number.NaN,
      firstWall: firstWall ?? Number.NaN,
      firstCpu: firstCpu ?? Number.NaN,
      answer: decodeURIComponent(line.split(' ')[5] ?? ''),
    };
  } catch {
    return failed;
  } finally {
    await dynamo.drop(tableName);
  }
}

type Invocation = { exportName: string; event: unknown; items: readonly RawItem[] };
const invocations = new Map<string, Invocation>([
  [BASELINE, { exportName: 'handler', event: {}, items: tables.final }],
  ...functions.map(
    ({ name, exportName, route }) =>
      [
        name,
        {
          exportName,
          event: firstEvent(name, route),
          items: (route ? undefined : tables.workflow.get(name)?.items) ?? tables.final,
        },
      ] as const,
  ),
]);
const samples = new Map<string, Sample[]>([...files.keys()].map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  const order = [...files.keys()].sort(() => Math.random() - 0.5);
  for (const name of order) {
    const { exportName, event, items } = invocations.get(name) as Invocation;
    samples.get(name)?.push(await coldStart(files.get(name) as string, exportName, event, items));
  }
}
stub.close();
dynamo.stop();
const median = (values: number[]) => {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const medianOf = (name: string, measure: 'wall' | 'cpu' | 'firstWall' | 'firstCpu') =>
  median((samples.get(name) ?? []).map((sample) => sample[measure]));
const baseline = medianOf(BASELINE, 'wall');
const baselineCpu = medianOf(BASELINE, 'cpu');
const baselineFirst = medianOf(BASELINE, 'firstWall');
const baselineFirstCpu = medianOf(BASELINE, 'firstCpu');

console.log(
  `${functions.length} functions, Node ${execFileSync(values.node, ['--version'], { encoding: 'utf8' }).trim()}, AWS SDK ${sdk}, ${values.trace ? `tracer on (${TRACE_SDK_CALLS}=true): from the Powertools layer (${POWERTOOLS_LAYER.version}), not in the sizes, loaded in every init` : 'tracer off (the default: no function imports it)'}, ${rounds} interleaved rounds${rounds < 7 ? ' (fewer than 7: a smoke run, not evidence; quote a run of 7 or more)' : ''}; baseline (DynamoDB client only) median cold init ${baseline.toFixed(0)} ms (CPU ${baselineCpu.toFixed(0)} ms), init + one GetItem ${baselineFirst.toFixed(0)} ms (CPU ${baselineFirstCpu.toFixed(0)} ms), ${(statSync(files.get(BASELINE) as string).size / 1024).toFixed(0)} KB\n`,
);
console.log(
  '| function | module | size | cold init (median) | × baseline | init CPU (median) | CPU × baseline | init + first request | × baseline | its CPU | CPU × baseline | first answer | ≤ 300 KB |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
const over: string[] = [];
// The issue 12 target is a ratio ≤ 1.5× for every function, so the summary counts the functions over it per
// column and names the worst: the verdict must rest on the worst function, not on the best-looking row.
const TARGET = 1.5;
const columns = [
  { label: 'cold init, wall', measure: 'wall', of: baseline },
  { label: 'cold init, CPU', measure: 'cpu', of: baselineCpu },
  { label: 'init + first request, wall', measure: 'firstWall', of: baselineFirst },
  { label: 'init + first request, CPU', measure: 'firstCpu', of: baselineFirstCpu },
] as const;
const ratios = new Map<string, Array<{ name: string; ratio: number }>>(
  columns.map(({ label }) => [label, []]),
);
const ratio = (value: number, of: number) => (Number.isNaN(value) ? '–' : `${(value / of).toFixed(2)}×`);
const ms = (value: number, failed = 'failed') => (Number.isNaN(value) ? failed : `${value.toFixed(0)} ms`);
for (const { name, module } of functions) {
  const size = statSync(files.get(name) as string).size;
  const [init, cpu, first, firstCpu] = (['wall', 'cpu', 'firstWall', 'firstCpu'] as const).map((measure) =>
    medianOf(name, measure),
  ) as [number, number, number, number];
  if (size > BUNDLE_LIMIT_BYTES) over.push(name);
  for (const { label, measure, of } of columns) {
    // A failed import or request counts as over the target: it has no ratio to be under it.
    ratios.get(label)?.push({ name, ratio: medianOf(name, measure) / of });
  }
  console.log(
    `| ${name} | ${module} | ${(size / 1024).toFixed(0)} KB | ${ms(init, 'import failed')} | ${ratio(init, baseline)} | ${ms(cpu, '–')} | ${ratio(cpu, baselineCpu)} | ${ms(first)} | ${ratio(first, baselineFirst)} | ${ms(firstCpu, '–')} | ${ratio(firstCpu, baselineFirstCpu)} | ${[...new Set(samples.get(name)?.map((sample) => sample.answer))].join(', ')} | ${size > BUNDLE_LIMIT_BYTES ? 'no' : 'yes'} |`,
  );
}
console.log(
  `\n${over.length} of ${functions.length} bundles exceed 300 KB${over.length ? `: ${over.join(', ')}` : ''}`,
);
for (const { label } of columns) {
  const all = ratios.get(label) ?? [];
  const failed = all.filter(({ ratio }) => Number.isNaN(ratio));
  const overTarget = all.filter(({ ratio }) => Number.isNaN(ratio) || ratio > TARGET);
  const worst = [...all].sort(
    (a, b) => (Number.isNaN(b.ratio) ? 1 : 0) - (Number.isNaN(a.ratio) ? 1 : 0) || b.ratio - a.ratio,
  )[0];
  const worstText = !worst
    ? ''
    : Number.isNaN(worst.ratio)
      ? `; worst: ${worst.name} (failed)`
      : `; worst: ${worst.name} ${worst.ratio.toFixed(2)}×`;
  console.log(
    `${label}: ${overTarget.length} of ${all.length} functions over ${TARGET}× the baseline${failed.length ? ` (${failed.length} failed)` : ''}${worstText}`,
  );
}

if (values.contents) {
  console.log('\n| bundle | size | largest parts (KB) |');
  console.log('| --- | --- | --- |');
  const byModule = new Map(functions.map(({ name, module }) => [module, name]));
  const contents = await bundleContents(sdk);
  for (const [module, name] of byModule) {
    const bundle = contents.get(name);
    if (!bundle) continue;
    const parts = bundleMakeup(bundle)
      .slice(0, 8)
      .map(({ part, bytes }) => `${part} ${(bytes / 1024).toFixed(0)}`)
      .join(', ');
    console.log(`| ${module} | ${(bundle.bytes / 1024).toFixed(0)} KB | ${parts} |`);
  }
}
