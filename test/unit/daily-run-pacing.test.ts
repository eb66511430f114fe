import { afterEach, expect, it, vi } from 'vitest';
import { runDaily } from '#functions/workflow/send-digest.ts';
import { type CaseEvent, caseContext, foldCase } from '#shared/domain/case.ts';
import { caseLookups } from '#shared/usecases/case-log.ts';
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

it("paces the daily run's letters as a deploy's passes are paced: one every 100 ms", async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  const { deps, clock } = fakeDependencies();
  clock.set('2026-03-05T08:00:00Z');
  // Three cases acknowledged on Wednesday 4 March, their letters sent: each response moves from 18 to 19 March,
  // with a letter.
  for (const caseId of ['case-1', 'case-2', 'case-3']) {
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
