/**
 * What the HTTP benchmarks share: the local runtime started in this process on free ports with a fresh data
 * directory, and autocannon's result as one table row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
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
  /** This process's CPU time (user and system: all the runtime's work, and autocannon's) per request answered. */
  cpuMsPerRequest: number;
  /** Real seconds the run took (its duration is on the virtual clock, which lags real time when busy). */
  seconds: number;
}

/** autocannon with 10 connections for `seconds`; errors count timeouts and refused connections. */
export async function load(options: autocannon.Options): Promise<LoadResult> {
  const cpu = process.cpuUsage();
  const began = performance.now();
  const result = await autocannon({ connections: 10, duration: 20, timeout: 10, ...options });
  const seconds = (performance.now() - began) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    cpuMsPerRequest: (used.user + used.system) / 1000 / Math.max(1, result.requests.total),
    // Answers over the run's real duration: autocannon's per-second average runs on timers that a busy
    // event loop (the runtime shares this process) delays, and under load it read far below the total.
    requestsPerSecond: result.requests.total / seconds,
    seconds,
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

/**
 * The machine's load average (1, 5 and 15 minutes) against its cores: the machine is shared, so a figure
 * means little without it. CPU per request is the figure that load changes least.
 */
export function loadAverage(): string {
  const [one, five, fifteen] = loadavg().map((value) => value.toFixed(1));
  return `load average ${one}, ${five}, ${fifteen} on ${availableParallelism()} cores`;
}

export function printTable(title: string, rows: Array<[string, LoadResult, string]>): void {
  console.log(`\n${title}\n`);
  console.log(
    '| run | req/s | p50 | p99 | requests (real s) | errors | non-2xx | CPU per request | target |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, r, target] of rows) {
    console.log(
      `| ${name} | ${r.requestsPerSecond.toFixed(1)} | ${r.p50} ms | ${r.p99} ms | ${r.requests} (${r.seconds.toFixed(0)} s) | ${r.errors} | ${r.non2xx} | ${r.cpuMsPerRequest.toFixed(1)} ms | ${target} |`,
    );
  }
}
