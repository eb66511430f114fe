import type { Context } from 'aws-lambda';
import { afterEach, expect, it, vi } from 'vitest';
import { runDaily } from '#functions/workflow/send-digest.ts';
import { type CaseEvent, caseContext, foldCase } from '#shared/domain/case.ts';
import { caseLookups } from '#shared/usecases/case-log.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { sendOwedLetters } from '#shared/usecases/notify.ts';
import { applyProfileChange } from '#shared/usecases/profile-change.ts';
import { fakeDependencies } from '../support/fakes/dependencies.ts';
import { baselineProfile, handler, received } from '../support/fixtures.ts';

/**
 * The daily run's profile check sends letters for many cases at once, as a deploy's passes do, so its letters are
 * paced the same way (send-digest's `withPacedLetters`: 10 a second). On the timers' virtual time, no wall clock.
 */
afterEach(() => {
  vi.useRealTimers();
});

const withHoliday = baselineProfile({
  calendar: {
    ...baselineProfile().calendar,
    extraBankHolidays: [{ date: '2026-03-11', reason: 'Announced bank holiday' }],
  },
});

/**
 * Cases acknowledged on Wednesday 4 March, their letters sent, the baseline profile stored: with 11 March a
 * holiday each response moves from 18 to 19 March, with a letter.
 */
async function acknowledgedCases(deps: AppDependencies, caseIds: readonly string[]) {
  for (const caseId of caseIds) {
    const events: CaseEvent[] = [
      received('2026-03-02T10:00:00Z'),
      { type: 'triaged', at: '2026-03-02T11:00:00Z', by: handler, outcome: 'complaint' },
      {
        type: 'acknowledged',
        at: '2026-03-04T09:00:00Z',
        by: handler,
        stage: 1,
        definition: 'Delay repairing the boiler',
        outcomesSought: ['Repair'],
      },
    ];
    for (const [index, event] of events.entries())
      await deps.repository.appendEvent(caseId, index + 1, event);
    const state = foldCase(caseId, events, deps.context);
    await deps.repository.saveProjection(state, caseLookups(deps, state));
    await sendOwedLetters(deps, caseId);
  }
  await applyProfileChange(deps);
}

it("paces the daily run's letters as a deploy's passes are paced: one every 100 ms", async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  const { deps, clock } = fakeDependencies();
  clock.set('2026-03-05T08:00:00Z');
  await acknowledgedCases(deps, ['case-1', 'case-2', 'case-3']);
  const sentAt: number[] = [];
  const send = deps.mailer.send.bind(deps.mailer);
  const changed = {
    ...deps,
    context: caseContext(withHoliday),
    mailer: {
      send: (email: Parameters<typeof send>[0]) => {
        if (email.subject.startsWith('The date you will hear from us has changed'))
          sentAt.push(performance.now());
        return send(email);
      },
    },
  };
  const run = runDaily(changed);
  await vi.runAllTimersAsync();
  expect((await run).profile).toMatchObject({ outcome: 'applied', lettersSent: 3 });
  const first = sentAt[0] ?? Number.NaN;
  expect(sentAt.map((at) => Math.round(at - first))).toEqual([0, 100, 200]);
});

it("holds a letter's claim until the daily run's invocation ends (and 10 s), so a run after it sends the letter", async () => {
  const { deps, clock } = fakeDependencies();
  clock.set('2026-03-05T08:00:00Z');
  await acknowledgedCases(deps, ['case-1']);
  // The invocation has 20 s left when it claims the letter, and ends at the send.
  let reached: () => void = () => {};
  const atSend = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const stopped = {
    ...deps,
    context: caseContext(withHoliday),
    mailer: {
      send: () => {
        reached();
        return new Promise<never>(() => {});
      },
    },
  };
  void runDaily(stopped, { getRemainingTimeInMillis: () => 20_000 } as Context);
  await atSend;
  clock.set('2026-03-05T08:00:29Z');
  expect(await sendOwedLetters({ ...deps, context: caseContext(withHoliday) }, 'case-1')).toBe(0);
  clock.set('2026-03-05T08:00:30Z');
  expect(await sendOwedLetters({ ...deps, context: caseContext(withHoliday) }, 'case-1')).toBe(1);
});
