/**
 * POST /complaints against the local runtime started in this process (free ports, a fresh data directory):
 * autocannon, 10 connections, each request a new complaint with its own Idempotency-Key. Prints req/s, p50,
 * p99 and errors; issue 12's target is at least 100 req/s with p99 within 1 s. The workflow's first steps run
 * after each answer (StartExecution answers first, as in AWS) and compete for the same cores, as they would
 * locally; the run waits for them before stopping.
 *
 * Run: npm run bench:intake [-- --seconds 20]
 */
import { parseArgs } from 'node:util';
import { load, loadAverage, printTable, realNow, startBenchRuntime } from './http-support.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
const runtime = await startBenchRuntime();
let sent = 0;
const body = JSON.stringify({
  complainant: { name: 'Bench Resident', email: 'bench@resident.example', preferredContact: 'email' },
  complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Repair it' },
});
try {
  const cpu = process.cpuUsage();
  const result = await load({
    url: runtime.url,
    duration: Number(values.seconds),
    requests: [
      {
        method: 'POST',
        path: '/complaints',
        body,
        setupRequest: (request) => ({
          ...request,
          headers: {
            ...request.headers,
            'content-type': 'application/json',
            'idempotency-key': `bench-intake-${++sent}`,
          },
        }),
      },
    ],
  });
  printTable(
    `bench:intake: POST /complaints, 10 connections, ${values.seconds} s, ${realNow()} UTC, ${loadAverage()}`,
    [['POST /complaints', result, '≥ 100 req/s, p99 ≤ 1000 ms']],
  );
  await runtime.system.settle();
  // The table's CPU per request counts only the workflow work done while the load ran, which depends on how far
  // behind the runtime fell; counted until the runtime is quiet, every answered intake's first steps are in.
  const used = process.cpuUsage(cpu);
  console.log(
    `CPU per intake with its workflow's first steps, until the runtime was quiet: ${((used.user + used.system) / 1000 / Math.max(1, result.requests)).toFixed(1)} ms (${realNow()} UTC, ${loadAverage()})`,
  );
} finally {
  await runtime.cleanUp();
}
