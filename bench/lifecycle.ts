/**
 * Pushes N complaints (default 1,000) through the whole two-stage lifecycle on the embedded runtime: the
 * real ASL in aws-local-stepfunctions, dynalite, the SES emulator and the virtual clock. Prints cases per
 * second, peak RSS and the live heap (after a full collection) after the first 100 closed cases and after all N
 * (their growth is what the pruning of finished executions bounds; RSS alone also counts pages V8 keeps). The driver waits on the engine's "waiting" event for each task, then reads the
 * case's tasks once, so its own reads do not inflate the counts (it used to poll every 10 ms), and a case is done
 * when the engine's "finished" event says its execution ended (not when the runtime's idle probe, which spins
 * on the event loop until nothing has run for a while, finds the whole batch quiet).
 *
 * The store is on disk in a fresh data directory, as `npm start` runs the runtime (dynalite on LevelDB, the
 * outbox in outbox.jsonl), so the RSS it prints is the runtime's own, not the table it would otherwise hold in
 * memory; `--in-memory` keeps the table in memory as the tests do (the RSS then grows with the data).
 *
 * Run: npm run bench:lifecycle [-- --cases 1000 --concurrency 50 --in-memory]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
import { defaultEscalationRoute } from '#shared/domain/letters.ts';
import type { TaskRecord } from '#shared/ports/case-repository.ts';
import { actOnTask } from '#shared/usecases/actions.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { startLocalSystem } from '../infra/local/system.ts';
import { loadAverage, realNow } from './http-support.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '50' },
    'in-memory': { type: 'boolean', default: false },
  },
});
const total = Number(values.cases);
const concurrency = Number(values.concurrency);

const dataDir = values['in-memory'] ? undefined : mkdtempSync(join(tmpdir(), 'bench-lifecycle-'));
const system = await startLocalSystem({
  profile: 'code-baseline',
  start: new Date('2026-03-02T10:00:00Z'),
  dataDir,
});
console.log(
  dataDir
    ? `Store: on disk in a fresh data directory (${dataDir}: dynalite on LevelDB, the outbox in outbox.jsonl), as \`npm start\` runs.`
    : 'Store: in memory (--in-memory): the table and its data are in the RSS, as in the tests.',
);
const { deps } = system;
const profile = deps.context.profile;
const handler = { kind: 'staff', id: 'bench-handler', role: 'handler' } as const;
const reviewer = { kind: 'staff', id: 'bench-reviewer', role: 'reviewer' } as const;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
// The sampler runs on real timers: the bench's virtual clock must not starve it.
sampler.unref?.();

// Tasks that started waiting before the driver asked, and drivers waiting for a task, by case.
const arrived = new Map<string, number>();
const waiters = new Map<string, () => void>();
system.sfn.events.on('waiting', (name) => {
  const waiter = waiters.get(name);
  if (waiter) {
    waiters.delete(name);
    waiter();
  } else arrived.set(name, (arrived.get(name) ?? 0) + 1);
});
let driverReads = 0;
let closed = 0;
// Drivers waiting for their case's execution to end, by case.
const closing = new Map<string, () => void>();
system.sfn.events.on('finished', (name, status) => {
  if (status === 'SUCCEEDED') closed++;
  closing.get(name)?.();
  closing.delete(name);
});
system.sfn.events.setMaxListeners(0);

async function openTask(caseId: string): Promise<TaskRecord> {
  const pending = arrived.get(caseId) ?? 0;
  // An entry goes once taken, so the driver holds nothing per closed case in the process it measures.
  if (pending > 1) arrived.set(caseId, pending - 1);
  else if (pending === 1) arrived.delete(caseId);
  else await new Promise<void>((resolve) => waiters.set(caseId, resolve));
  driverReads++;
  const open = (await deps.repository.tasksForCase(caseId)).filter((task) => task.status === 'open');
  if (!open[0]) throw new Error(`no open task for ${caseId}`);
  return open[0];
}

async function act(caseId: string, actor: typeof handler | typeof reviewer, action: Record<string, unknown>) {
  const task = await openTask(caseId);
  await actOnTask(deps, task.taskId, actor, action);
}

const response = (stage: 1 | 2) => ({
  action: 'respond',
  complaintDefinition: 'Delay repairing the boiler',
  decision: 'partly-upheld',
  reasons: 'The repair took longer than our target.',
  remedy: { description: 'An apology and £50', compensationPounds: 50 },
  outstandingActions: 'none',
  escalationRoute: defaultEscalationRoute(profile, stage),
});

async function lifecycle(index: number): Promise<void> {
  const { caseId } = await submitComplaint(
    deps,
    {
      complainant: {
        name: `Resident ${index}`,
        email: `resident${index}@bench.example`,
        preferredContact: 'email',
      },
      complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Repair' },
    },
    `bench-${index}`,
    { kind: 'resident', id: 'bench' },
  );
  await act(caseId, handler, { action: 'triage', outcome: 'complaint' });
  await act(caseId, handler, {
    action: 'acknowledge',
    definition: 'Boiler repair delay',
    outcomesSought: ['Repair'],
  });
  await act(caseId, handler, response(1));
  await act(caseId, handler, { action: 'escalate' });
  await act(caseId, reviewer, {
    action: 'acknowledge',
    definition: 'Stage 1 remedy',
    outcomesSought: ['More compensation'],
  });
  // The final response is the last staff action: the execution then sends the letter and closes the case.
  const ended = new Promise<void>((resolve) => closing.set(caseId, resolve));
  await act(caseId, reviewer, response(2));
  await ended;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const checkpoints: Array<{
  cases: number;
  seconds: number;
  cpuMs: number;
  peakRss: number;
  rss: number;
  liveHeap: number;
  retained: string;
}> = [];
const loadAtStart = loadAverage();
const began = performance.now();
const cpuAtStart = process.cpuUsage();
for (let next = 0; next < total; next += concurrency) {
  const batch = Array.from({ length: Math.min(concurrency, total - next) }, (_, i) => lifecycle(next + i));
  await Promise.all(batch);
  // A working day passes between batches, so waits, reminders and deadlines run on the virtual clock too.
  await system.clock.advance(24 * 60 * 60 * 1000);
  const done = next + batch.length;
  if (done % 100 === 0) {
    // Progress on stderr: a long run on a loaded machine shows how far it has gone, and where memory is held.
    // Measured after a full collection, so the heap is live objects only and the checkpoints compare alike.
    collectGarbage();
    const memory = process.memoryUsage();
    const retained = system.sfn.retained();
    console.error(
      `${done} cases, ${((performance.now() - began) / 1000).toFixed(0)} s, RSS ${mib(memory.rss)}, heap ${mib(memory.heapUsed)} of ${mib(memory.heapTotal)}, external ${mib(memory.external)}, ` +
        `${getStoreReadonly().emails.length} emails in the SES emulator, ${system.clock.pendingTimers()} timers, ${retained.executions} executions, ${retained.callbacks} callbacks, ${retained.deadTokens} dead tokens, ${realNow()} UTC`,
    );
  }
  if (done === Math.min(100, total) || done === total) {
    // The live heap (after a full collection) is what the runtime still holds; RSS also counts pages V8 has not
    // given back, so the two are printed side by side.
    collectGarbage();
    const { rss, heapUsed: liveHeap } = process.memoryUsage();
    peakRss = Math.max(peakRss, rss);
    const retained = system.sfn.retained();
    checkpoints.push({
      cases: done,
      seconds: (performance.now() - began) / 1000,
      cpuMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage(cpuAtStart)),
      peakRss,
      rss,
      liveHeap,
      retained: `${retained.executions} executions, ${retained.historyEvents} history events, ${retained.deadTokens} dead tokens`,
    });
  }
}
await system.settle();
clearInterval(sampler);

console.log(`${closed} of ${total} complaints through both stages to closure, ${realNow()} UTC`);
console.log(`At the start: ${loadAtStart}. At the end: ${loadAverage()}.\n`);
console.log(
  '| cases | wall time | throughput | CPU per case | CPU-bound ceiling (one core) | peak RSS | RSS at the end | live heap (after full GC) | engine keeps |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const point of checkpoints) {
  console.log(
    `| ${point.cases} | ${point.seconds.toFixed(1)} s | ${(point.cases / point.seconds).toFixed(1)} cases/s | ${(point.cpuMs / point.cases).toFixed(0)} ms | ${((1000 * point.cases) / point.cpuMs).toFixed(1)} cases/s | ${mib(point.peakRss)} | ${mib(point.rss)} | ${mib(point.liveHeap)} | ${point.retained} |`,
  );
}
const first = checkpoints[0];
const last = checkpoints.at(-1);
if (first && last && last !== first) {
  console.log(`\nRSS after ${last.cases} ÷ RSS after ${first.cases}: ${(last.rss / first.rss).toFixed(2)}×`);
  console.log(
    `Live heap after ${last.cases} ÷ live heap after ${first.cases}: ${(last.liveHeap / first.liveHeap).toFixed(2)}× (${mib(last.liveHeap)} ÷ ${mib(first.liveHeap)})`,
  );
}
console.log(
  `Driver reads: ${driverReads} (one tasksForCase per task, after the engine's event). Virtual days passed: ${Math.round((system.clock.now().getTime() - Date.parse('2026-03-02T10:00:00Z')) / 86_400_000)}`,
);
await system.stop();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
if (closed !== total) process.exitCode = 1;
