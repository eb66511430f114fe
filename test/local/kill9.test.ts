import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OUTBOX_FILE } from '../../infra/local/system.ts';
import { freePort, launch } from '../support/local-process.ts';

// kill -9 in the middle of a burst of intakes and staff actions, then a restart on the same data directory:
// nothing answered is lost, nothing is recorded or sent twice, and every open case is waiting on something.

const STAFF = 'hannah';
const INTAKES = 20;
const NOTES_PER_CASE = 4;

interface CaseView {
  events: Array<{ type: string; text?: string; key?: string; channel?: string }>;
  tasks: Array<{ taskId: string; status: string; step: string }>;
  state: { caseId: string; reference: string; status: string; seq: number };
}

interface StoredEmail {
  headers?: Array<{ name: string; value: string }>;
}

/** The emails kept in the data directory; a line cut short by the kill is not an email. */
function readOutbox(dataDir: string): StoredEmail[] {
  let text = '';
  try {
    text = readFileSync(join(dataDir, OUTBOX_FILE), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as StoredEmail];
      } catch {
        return [];
      }
    });
}

/** Polls until the check passes or the deadline is reached; the last failure is then thrown. */
async function eventually<T>(check: () => Promise<T>, ms = 30_000): Promise<T> {
  const until = performance.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (performance.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

describe('the local runtime killed with SIGKILL during a burst', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  it('loses no answered request, duplicates no event or email and leaves no case stuck', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rt-kill9-'));
    const [port, sesPort, smtpPort] = [await freePort(), await freePort(), await freePort()];
    const args = [
      ...['--data-dir', dataDir, '--port', String(port), '--ses-port', String(sesPort)],
      ...['--smtp-port', String(smtpPort)],
    ];
    const base = `http://127.0.0.1:${port}`;
    const call = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-local-user': STAFF, ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const complaint = (n: number) => ({
      complainant: {
        name: `Resident ${n}`,
        email: `resident${n}@resident.example`,
        preferredContact: 'email',
      },
      complaint: { whatHappened: `Problem number ${n}`, outcomeWanted: 'Fix it' },
    });
    const intake = (key: string, n: number) =>
      call('POST', '/complaints', complaint(n), { 'idempotency-key': key });
    const view = async (caseId: string) =>
      (await call('GET', `/staff/cases/${caseId}`)).body as unknown as CaseView;
    const openTasks = async (caseId: string) =>
      (await view(caseId)).tasks.filter((task) => task.status === 'open');
    const oneOpenTask = (caseId: string, step?: string) =>
      eventually(async () => {
        const open = await openTasks(caseId);
        expect(open).toHaveLength(1);
        if (step) expect(open[0]?.step).toBe(step);
        return open[0] as { taskId: string; step: string };
      });

    let running = launch(args);
    child = running.proc;
    await running.ready;

    // Three cases triaged, so each waits on a staff acknowledgement task.
    const existing: string[] = [];
    for (const n of [1, 2, 3]) {
      const created = await intake(`kill9-existing-${n}`, n);
      expect(created.status).toBe(201);
      const caseId = String(created.body.caseId);
      const triage = await oneOpenTask(caseId, 'triage');
      const triaged = await call('POST', `/staff/tasks/${triage.taskId}/actions`, {
        action: 'triage',
        outcome: 'complaint',
      });
      expect(triaged.status).toBe(200);
      existing.push(caseId);
    }
    const ackTasks = new Map<string, string>();
    for (const caseId of existing) {
      ackTasks.set(caseId, (await oneOpenTask(caseId, 'stage1-acknowledgement')).taskId);
    }

    // The burst: intakes, notes and acknowledgements all at once. Each records whether it was answered.
    type Outcome = { status?: number; body?: Record<string, unknown> };
    const settle = (request: Promise<{ status: number; body: Record<string, unknown> }>): Promise<Outcome> =>
      request.then(
        (answer) => answer,
        () => ({}),
      );
    // The kill comes the moment the fifth answer arrives: polling for it let a fast machine answer everything first.
    const KILL_AFTER_ANSWERS = 5;
    let answered = 0;
    const counted = (request: Promise<Outcome>) =>
      request.then((outcome) => {
        if (outcome.status !== undefined && ++answered === KILL_AFTER_ANSWERS) running.proc.kill('SIGKILL');
        return outcome;
      });
    const intakeKeys = Array.from({ length: INTAKES }, (_, i) => `kill9-burst-${String(i).padStart(3, '0')}`);
    const intakes = intakeKeys.map((key, i) => counted(settle(intake(key, 100 + i))));
    const notes = existing.flatMap((caseId) =>
      Array.from({ length: NOTES_PER_CASE }, (_, i) => {
        const text = `Burst note ${i} on ${caseId}`;
        return {
          caseId,
          text,
          outcome: counted(settle(call('POST', `/staff/cases/${caseId}/events`, { action: 'note', text }))),
        };
      }),
    );
    const acknowledgements = existing.map((caseId) => ({
      caseId,
      outcome: counted(
        settle(
          call('POST', `/staff/tasks/${ackTasks.get(caseId)}/actions`, {
            action: 'acknowledge',
            definition: 'Boiler repair delay',
            outcomesSought: ['Repair'],
          }),
        ),
      ),
    }));
    const total = intakes.length + notes.length + acknowledgements.length;

    // Part-way: after some answers have come back and before all have.
    await eventually(async () => expect(answered).toBeGreaterThanOrEqual(KILL_AFTER_ANSWERS), 30_000);
    await running.exited;
    const sentBeforeKill = readOutbox(dataDir).length;
    const intakeOutcomes = await Promise.all(intakes);
    const noteOutcomes = await Promise.all(
      notes.map(async (note) => ({ ...note, outcome: await note.outcome })),
    );
    const ackOutcomes = await Promise.all(
      acknowledgements.map(async (ack) => ({ ...ack, outcome: await ack.outcome })),
    );
    expect(answered).toBeLessThan(total);

    running = launch(args);
    child = running.proc;
    await running.ready;

    // No answered intake is lost; a retry with the same key finds the same case. An unanswered one whose key
    // was claimed before the kill is refused with 409 "try again" until the claim's lease runs out, then a
    // retry takes it over; in the end each key has exactly one case.
    const firstRetries = await Promise.all(intakeKeys.map((key, i) => intake(key, 100 + i)));
    for (const [i, retried] of firstRetries.entries()) {
      const before = intakeOutcomes[i] as Outcome;
      if (before.status !== undefined) expect(before.status).toBe(201);
      if (before.status === 201) {
        expect(retried).toMatchObject({ status: 200, body: { caseId: before.body?.caseId } });
        const found = await call(
          'GET',
          `/staff/cases?q=${encodeURIComponent(String(before.body?.reference))}`,
        );
        expect(found.body.cases).toMatchObject([{ caseId: before.body?.caseId }]);
      } else if (retried.status === 409) {
        expect(retried.body).toMatchObject({
          error: 'CONFLICT',
          message: expect.stringMatching(/try again/),
        });
      } else {
        expect([200, 201], JSON.stringify(retried)).toContain(retried.status);
      }
    }
    const clock = (await call('GET', '/local/clock')).body as { now: string };
    const pastLease = new Date(Date.parse(clock.now) + 2 * 60_000).toISOString();
    expect((await call('POST', '/local/clock/advance', { to: pastLease })).status).toBe(200);
    const burstCases = new Map<string, string>();
    for (const [i, key] of intakeKeys.entries()) {
      const retried = await intake(key, 100 + i);
      expect([200, 201], JSON.stringify(retried)).toContain(retried.status);
      expect(await intake(key, 100 + i)).toMatchObject({
        status: 200,
        body: { caseId: retried.body.caseId },
      });
      burstCases.set(key, String(retried.body.caseId));
    }
    expect(new Set(burstCases.values()).size).toBe(INTAKES);
    for (const [i] of intakeKeys.entries()) {
      const byName = await call('GET', `/staff/cases?q=${encodeURIComponent(`Resident ${100 + i}`)}`);
      expect(byName.body.cases).toHaveLength(1);
    }

    // No answered note or acknowledgement is lost, and none is recorded twice.
    for (const note of noteOutcomes) {
      const events = (await view(note.caseId)).events.filter((event) => event.text === note.text);
      if (note.outcome.status !== undefined) expect(note.outcome.status).toBe(200);
      expect(events.length).toBeLessThanOrEqual(1);
      if (note.outcome.status === 200) expect(events).toHaveLength(1);
    }
    for (const ack of ackOutcomes) {
      if (ack.outcome.status !== undefined) expect(ack.outcome.status).toBe(200);
      const acknowledged = (await view(ack.caseId)).events.filter((event) => event.type === 'acknowledged');
      expect(acknowledged.length).toBeLessThanOrEqual(1);
      if (ack.outcome.status === 200) expect(acknowledged).toHaveLength(1);
    }

    // No case stuck: every case is waiting on exactly one open task in a running execution, and its event
    // log has no gaps or repeats.
    const allCases = [...existing, ...burstCases.values()];
    const recordedLetters: string[] = [];
    // A stuck case says what state it is in: its events, its tasks and its execution (status, error, last steps).
    const diagnose = async (caseId: string) => {
      const { events, tasks, state } = (await call('GET', `/staff/cases/${caseId}`)).body as unknown as {
        events: Array<{ type: string; at?: string; by?: unknown }>;
        tasks: Array<Record<string, unknown>>;
        state: CaseView['state'];
      };
      const execution = (await call('GET', `/local/executions/${caseId}`)).body as {
        status?: string;
        error?: string;
        cause?: string;
        startDate?: string;
        history?: Array<{ type: string; state?: string; at: string }>;
      };
      return JSON.stringify(
        {
          caseId,
          reference: state?.reference,
          status: state?.status,
          seq: state?.seq,
          events: events?.map((event, i) => `${i + 1} ${event.type} ${event.at ?? ''}`),
          tasks: tasks?.map(
            (task) =>
              `${task.step} ${task.status} created ${task.createdAt} closed ${task.closedAt ?? '-'} by ${task.closedBy ?? '-'}`,
          ),
          execution: {
            status: execution.status ?? 'none (never started since the restart)',
            error: execution.error,
            cause: execution.cause,
            startDate: execution.startDate,
            lastSteps: execution.history
              ?.slice(-8)
              .map((entry) => `${entry.type} ${entry.state ?? ''} ${entry.at}`),
          },
          clock: (await call('GET', '/local/clock')).body.now,
        },
        null,
        2,
      );
    };
    for (const caseId of allCases) {
      try {
        await oneOpenTask(caseId);
      } catch (error) {
        throw new Error(
          `Case ${caseId} has no single open task 30 s after the restart: ${await diagnose(caseId)}`,
          {
            cause: error,
          },
        );
      }
      const execution = await eventually(async () => {
        const found = (await call('GET', `/local/executions/${caseId}`)).body as { status: string };
        expect(found.status).toBe('RUNNING');
        return found;
      });
      expect(execution.status).toBe('RUNNING');
      const { events, state } = await view(caseId);
      // One event per sequence number, from 1 up, and no letter recorded twice.
      expect(events).toHaveLength(state.seq);
      expect(events.filter((event) => event.type === 'received')).toHaveLength(1);
      const letters = events
        .filter((event) => event.type === 'correspondence-sent')
        .map((event) => event.key);
      expect(new Set(letters).size).toBe(letters.length);
      recordedLetters.push(
        ...events
          .filter((event) => event.type === 'correspondence-sent' && event.channel === 'email')
          .map((event) => `${state.reference} ${event.key}`),
      );
    }

    // The outbox (kept in the data directory) has every recorded letter, each once. The one exception is the
    // documented at-least-once window (docs/operations.md): a letter SES took just before the kill and whose
    // event was not yet written is sent again after the restart, so a repeat may only straddle the kill.
    const copies = new Map<string, number[]>();
    for (const [index, email] of readOutbox(dataDir).entries()) {
      const header = (name: string) => email.headers?.find((h) => h.name === name)?.value;
      const key = header('X-Correspondence-Key');
      if (!key) continue;
      const letter = `${header('X-Complaint-Reference')} ${key}`;
      copies.set(letter, [...(copies.get(letter) ?? []), index]);
    }
    for (const letter of recordedLetters) expect(copies.has(letter), letter).toBe(true);
    for (const [letter, at] of copies) {
      if (at.length === 1) continue;
      expect({ letter, copies: at.length }).toEqual({ letter, copies: 2 });
      expect(at[0]).toBeLessThan(sentBeforeKill);
      expect(at[1]).toBeGreaterThanOrEqual(sentBeforeKill);
    }
  }, 120_000);
});
