/**
 * Builds every Lambda function as the CDK does (bench/function-bundles.ts) and prints each bundle's size and its
 * cold-init time: `await import()` of the bundle in a fresh Node process, wall clock and CPU, each as a ratio to
 * a bundle that imports only the DynamoDB client. Runs are interleaved (every bundle once per round, in a shuffled order) and the
 * median of the rounds is taken, so load from other processes on the machine falls on all bundles alike.
 * `--sdk bundled` bundles the locked AWS SDK into every function instead of leaving it to the runtime's copy
 * (ADR 0010 compares the two); the baseline is then bundled too. The Powertools tracer and the X-Ray SDK are
 * not loaded unless the stacks turn them on (`-c traceSdkCalls=true`, ADR 0015), and the inits here run with
 * the environment the stacks give by default; `--trace` sets TRACE_SDK_CALLS as the stacks then do, and each
 * init imports the tracer (from node_modules here, from the Powertools layer in Lambda, ADR 0011: not in the
 * sizes either way).
 *
 * `--contents` also prints what each bundle is made of: its largest packages and source folders.
 *
 * Run: npm run bench:bundles [-- --rounds 7] [-- --sdk bundled] [-- --trace] [-- --contents]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { TRACE_SDK_CALLS } from '../functions/lib/tracing.ts';
import { POWERTOOLS_LAYER } from '../infra/constructs/house-function.ts';
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
    contents:
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const client = new DynamoDBClient({});\n",
  }),
);
for (const { name, module } of functions) {
  files.set(name, await bundle(name, { file: join(ROOT, 'functions', `${module}.ts`) }));
}

// What a handler module reads at import time (import only: nothing is invoked).
const profileFile = join(OUT, 'provider-profile.json');
writeFileSync(profileFile, '{}');
const env = {
  ...process.env,
  NODE_OPTIONS: '',
  AWS_REGION: 'eu-west-2',
  TABLE_NAME: 'bench',
  PROVIDER_PROFILE_FILE: profileFile,
  POWERTOOLS_SERVICE_NAME: 'bench',
  [TRACE_SDK_CALLS]: values.trace ? 'true' : '',
};

/**
 * Milliseconds to `await import()` the bundle in a fresh Node process, wall clock and CPU (user and system, all
 * the process's threads), or NaN when the import throws. Init is CPU work (reading cached files, compiling,
 * running module bodies), so on a machine shared with other builds its CPU time varies far less than its wall
 * time, which waits for a core.
 */
function coldInit(file: string): { wall: number; cpu: number } {
  const script = `const cpu = process.cpuUsage(); const began = performance.now(); await import(${JSON.stringify(file)}); const wall = performance.now() - began; const used = process.cpuUsage(cpu); console.log(wall, (used.user + used.system) / 1000);`;
  try {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [wall, cpu] = (out.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
    return { wall: wall ?? Number.NaN, cpu: cpu ?? Number.NaN };
  } catch {
    return { wall: Number.NaN, cpu: Number.NaN };
  }
}

const samples = new Map<string, Array<{ wall: number; cpu: number }>>(
  [...files.keys()].map((name) => [name, []]),
);
for (let round = 0; round < rounds; round++) {
  const order = [...files.keys()].sort(() => Math.random() - 0.5);
  for (const name of order) samples.get(name)?.push(coldInit(files.get(name) as string));
}
const median = (values: number[]) => {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const medianOf = (name: string, measure: 'wall' | 'cpu') =>
  median((samples.get(name) ?? []).map((sample) => sample[measure]));
const baseline = medianOf(BASELINE, 'wall');
const baselineCpu = medianOf(BASELINE, 'cpu');

console.log(
  `${functions.length} functions, AWS SDK ${sdk}, ${values.trace ? `tracer on (${TRACE_SDK_CALLS}=true): from the Powertools layer (${POWERTOOLS_LAYER.version}), not in the sizes, loaded in every init` : 'tracer off (the default: no function imports it)'}, ${rounds} interleaved rounds; baseline (DynamoDB client only) median cold init ${baseline.toFixed(0)} ms (CPU ${baselineCpu.toFixed(0)} ms), ${(statSync(files.get(BASELINE) as string).size / 1024).toFixed(0)} KB\n`,
);
console.log(
  '| function | module | size | cold init (median) | × baseline | init CPU (median) | CPU × baseline | ≤ 300 KB |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
const over: string[] = [];
for (const { name, module } of functions) {
  const size = statSync(files.get(name) as string).size;
  const init = medianOf(name, 'wall');
  const cpu = medianOf(name, 'cpu');
  if (size > BUNDLE_LIMIT_BYTES) over.push(name);
  const failed = Number.isNaN(init);
  console.log(
    `| ${name} | ${module} | ${(size / 1024).toFixed(0)} KB | ${failed ? 'import failed' : `${init.toFixed(0)} ms`} | ${failed ? '–' : `${(init / baseline).toFixed(2)}×`} | ${failed ? '–' : `${cpu.toFixed(0)} ms`} | ${failed ? '–' : `${(cpu / baselineCpu).toFixed(2)}×`} | ${size > BUNDLE_LIMIT_BYTES ? 'no' : 'yes'} |`,
  );
}
console.log(
  `\n${over.length} of ${functions.length} bundles exceed 300 KB${over.length ? `: ${over.join(', ')}` : ''}`,
);

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
