/**
 * GET /staff (the staff queue page) signed in as a handler, against the local runtime started in this process
 * with a realistic queue: N complaints (default 200) each waiting at triage. autocannon, 10 connections;
 * prints req/s, p50, p99 and errors. Issue 12's target is at least 100 req/s. The page reads the role's open
 * tasks and their cases' assignees in one batched read (staffQueue).
 *
 * The queue is seeded through the use cases, not HTTP and not the state machine: each complaint is taken by
 * submitComplaint and its triage task stored by registerTask (what the workflow's first steps do), with an
 * engine that starts nothing. Running 200 executions through the interpreter took longer than the bench's
 * timeout on a loaded machine, and the page only reads what those two write.
 *
 * Run: npm run bench:queue [-- --tasks 200 --seconds 20 --overdue]
 */
import { parseArgs } from 'node:util';
import type { WorkflowEngine } from '#shared/ports/workflow-engine.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { positionOf, registerTask } from '#shared/usecases/workflow.ts';
import { load, loadAverage, printTable, realNow, startBenchRuntime } from './http-support.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    overdue: { type: 'boolean', default: false },
  },
});
const tasks = Number(values.tasks);
const runtime = await startBenchRuntime();
try {
  const engine: WorkflowEngine = {
    startExecution: async (name) => ({ executionArn: `seed:${name}`, alreadyStarted: false }),
    sendTaskSuccess: async () => undefined,
    sendTaskFailure: async () => undefined,
  };
  const deps = { ...runtime.system.deps, engine };
  const seeding = performance.now();
  for (let index = 0; index < tasks; index++) {
    const { caseId } = await submitComplaint(
      deps,
      {
        complainant: {
          name: `Resident ${index}`,
          email: `resident${index}@bench.example`,
          preferredContact: 'email',
        },
        complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Repair it' },
        // --overdue: logged by staff as received two weeks ago, so every triage task is overdue and the page
        // reads each case for the date its resident was promised (the worst case of that read).
        ...(values.overdue ? { receivedAt: '2026-02-16T10:00:00Z' } : {}),
      },
      `bench-queue-${index}`,
      values.overdue ? { kind: 'staff', id: 'bench', role: 'handler' } : { kind: 'resident', id: 'bench' },
    );
    const state = await deps.repository.getProjection(caseId);
    if (!state) throw new Error(`case ${caseId} has no projection after intake`);
    const { step } = positionOf(deps, state);
    if (step !== 'triage') throw new Error(`case ${caseId} is at ${step} after intake, not triage`);
    await registerTask(deps, { caseId, step, token: `bench-seed-${index}` });
  }
  const seeded = (performance.now() - seeding) / 1000;

  const signIn = await fetch(`${runtime.url}/staff/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: runtime.url },
    body: 'user=hannah&next=%2Fstaff',
    redirect: 'manual',
  });
  const cookie = signIn.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');
  const page = await fetch(`${runtime.url}/staff`, { headers: { cookie } });
  const shown = new Set((await page.text()).match(/CMP-\d{4}-\d{6}/g)).size;
  if (page.status !== 200 || shown < tasks) {
    throw new Error(`the queue page answered ${page.status} with ${shown} of ${tasks} cases: not signed in?`);
  }

  const result = await load({
    url: `${runtime.url}/staff`,
    duration: Number(values.seconds),
    headers: { cookie },
  });
  printTable(
    `bench:queue: GET /staff signed in as a handler, ${shown} open${values.overdue ? ' overdue' : ''} tasks on the page (seeded in ${seeded.toFixed(1)} s), 10 connections, ${values.seconds} s, ${realNow()} UTC, ${loadAverage()}`,
    [['GET /staff', result, '≥ 100 req/s']],
  );
} finally {
  await runtime.cleanUp();
}
