/**
 * Pushes N complaints (default 1,000) through the whole two-stage lifecycle on the embedded runtime: the
 * real ASL in aws-local-stepfunctions, dynalite, the SES emulator and the virtual clock. Prints cases per
 * second and peak memory.
 *
 * Run: npm run bench [-- --cases 1000 --concurrency 50]
 */
import { parseArgs } from 'node:util';
import { defaultEscalationRoute } from '#shared/domain/letters.ts';
import type { TaskRecord } from '#shared/ports/case-repository.ts';
import { actOnTask } from '#shared/usecases/actions.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { startLocalSystem } from '../infra/local/system.ts';

const { values } = parseArgs({
  options: { cases: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '50' } },
});
const total = Number(values.cases);
const concurrency = Number(values.concurrency);

const system = await startLocalSystem({ profile: 'code-baseline', start: new Date('2026-03-02T10:00:00Z') });
const { deps } = system;
const profile = deps.context.profile;
const handler = { kind: 'staff', id: 'bench-handler', role: 'handler' } as const;
const reviewer = { kind: 'staff', id: 'bench-reviewer', role: 'reviewer' } as const;

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
// The sampler runs on real timers: the bench's virtual clock must not starve it.
sampler.unref?.();

async function openTask(caseId: string): Promise<TaskRecord> {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const open = (await deps.repository.tasksForCase(caseId)).filter((task) => task.status === 'open');
    if (open[0]) return open[0];
    // Polling too eagerly would compete with the workflow for the emulator.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no open task for ${caseId}`);
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
  await act(caseId, reviewer, response(2));
}

const began = performance.now();
for (let next = 0; next < total; next += concurrency) {
  const batch = Array.from({ length: Math.min(concurrency, total - next) }, (_, i) => lifecycle(next + i));
  await Promise.all(batch);
  await system.settle();
  // A working day passes between batches, so waits, reminders and deadlines run on the virtual clock too.
  await system.clock.advance(24 * 60 * 60 * 1000);
}
await system.settle();
const seconds = (performance.now() - began) / 1000;
const closed = system.sfn.listExecutions().filter((execution) => execution.status === 'SUCCEEDED').length;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

console.log('| measure | value |');
console.log('| --- | --- |');
console.log(`| complaints through both stages to closure | ${closed} of ${total} |`);
console.log(`| wall time | ${seconds.toFixed(1)} s |`);
console.log(`| throughput | ${(closed / seconds).toFixed(1)} cases/s |`);
console.log(`| peak RSS | ${(peakRss / 1024 / 1024).toFixed(0)} MiB |`);
console.log(
  `| virtual days passed | ${Math.round((system.clock.now().getTime() - Date.parse('2026-03-02T10:00:00Z')) / 86_400_000)} |`,
);
await system.stop();
if (closed !== total) process.exitCode = 1;
