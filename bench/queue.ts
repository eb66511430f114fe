/**
 * GET /staff (the staff queue page) signed in as a handler, against the local runtime started in this process
 * with a realistic queue: N complaints (default 200) each waiting at triage. autocannon, 10 connections;
 * prints req/s, p50, p99 and errors. Issue 12's target is at least 100 req/s. The page reads the role's open
 * tasks and their cases' assignees in one batched read (staffQueue).
 *
 * Run: npm run bench:queue [-- --tasks 200 --seconds 20]
 */
import { parseArgs } from 'node:util';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { load, printTable, realNow, startBenchRuntime } from './http-support.ts';

const { values } = parseArgs({
  options: { tasks: { type: 'string', default: '200' }, seconds: { type: 'string', default: '20' } },
});
const tasks = Number(values.tasks);
const runtime = await startBenchRuntime();
try {
  const { deps } = runtime.system;
  for (let index = 0; index < tasks; index++) {
    await submitComplaint(
      deps,
      {
        complainant: {
          name: `Resident ${index}`,
          email: `resident${index}@bench.example`,
          preferredContact: 'email',
        },
        complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Repair it' },
      },
      `bench-queue-${index}`,
      { kind: 'resident', id: 'bench' },
    );
  }
  await runtime.system.settle();

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
    `bench:queue: GET /staff signed in as a handler, ${shown} open tasks on the page, 10 connections, ${values.seconds} s, ${realNow()} UTC`,
    [['GET /staff', result, '≥ 100 req/s']],
  );
} finally {
  await runtime.cleanUp();
}
