/**
 * What the HTTP benchmarks share: the local runtime started in this process on free ports with a fresh data
 * directory, and autocannon's result as one table row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { type Runtime, startRuntime } from '../infra/local/runtime.ts';

export async function startBenchRuntime(): Promise<Runtime & { cleanUp(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-http-'));
  const runtime = await startRuntime({
    provider: 'code-baseline',
    dataDir,
    port: 0,
    sesPort: 0,
    smtpPort: 0,
    start: new Date('2026-03-02T10:00:00Z'),
  });
  return Object.assign(runtime, {
    async cleanUp() {
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

/** autocannon with 10 connections for `seconds`; errors count timeouts and refused connections. */
export async function load(options: autocannon.Options): Promise<LoadResult> {
  const result = await autocannon({ connections: 10, duration: 20, timeout: 10, ...options });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** The wall-clock date: the runtime's virtual clock replaces Date in this process. */
export function realNow(): string {
  return new Date(performance.timeOrigin + performance.now()).toISOString().slice(0, 16).replace('T', ' ');
}

export function printTable(title: string, rows: Array<[string, LoadResult, string]>): void {
  console.log(`\n${title}\n`);
  console.log('| run | req/s (mean) | p50 | p99 | requests | errors | non-2xx | target |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, r, target] of rows) {
    console.log(
      `| ${name} | ${r.requestsPerSecond.toFixed(1)} | ${r.p50} ms | ${r.p99} ms | ${r.requests} | ${r.errors} | ${r.non2xx} | ${target} |`,
    );
  }
}
