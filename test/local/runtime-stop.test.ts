import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { startRuntime } from '../../infra/local/runtime.ts';
import { startLocalSystem } from '../../infra/local/system.ts';

/**
 * Stopping the runtime while requests are in flight (the end of a load test, Ctrl-C under use): the requests
 * already taken are answered, and the table is closed only after them. It used to close under them, and
 * dynalite's rethrown LEVEL_ITERATOR_NOT_OPEN ended the process (issue 12's queue benchmark).
 */
describe('stopping the local runtime', () => {
  it('answers the requests it has taken before closing the table', async () => {
    const runtime = await startRuntime({
      provider: 'code-baseline',
      dataDir: mkdtempSync(join(tmpdir(), 'runtime-stop-')),
      port: 0,
      sesPort: 0,
      smtpPort: 0,
      start: new Date('2026-03-02T10:00:00Z'),
    });
    // Complaints first, so the queue page's reads scan items.
    for (let index = 0; index < 5; index++) {
      await submitComplaint(
        runtime.system.deps,
        {
          complainant: {
            name: `Resident ${index}`,
            email: `r${index}@example.org`,
            preferredContact: 'email',
          },
          complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Repair it' },
        },
        `stop-${index}`,
        { kind: 'resident', id: 'test' },
      );
    }
    await runtime.system.settle();

    const requests = new Promise<void>((taken) => {
      let seen = 0;
      runtime.server.on('request', () => {
        if (++seen === 10) taken();
      });
    });
    const pages = Array.from({ length: 10 }, () =>
      fetch(`${runtime.url}/staff`, { headers: { 'x-local-user': 'hannah' } }).then(async (page) => ({
        status: page.status,
        text: await page.text(),
      })),
    );
    // Stop once the server has taken all ten, while their reads are under way.
    await requests;
    await runtime.stop();

    const answered = await Promise.all(pages);
    expect(answered.map((page) => page.status)).toEqual(Array(10).fill(200));
    expect(answered.every((page) => page.text.includes('CMP-'))).toBe(true);
  });

  it('waits for every job of the daily tick (report-months, the last) before the clock moves on or the table closes', async () => {
    const system = await startLocalSystem({
      profile: 'code-baseline',
      start: new Date('2026-03-03T07:00:00Z'),
    });
    try {
      // The tick's last job stores the tallies of the 12 newest closed months, March 2025 to February 2026.
      const months = Array.from({ length: 12 }, (_, index) =>
        new Date(Date.UTC(2025, 2 + index, 1)).toISOString().slice(0, 7),
      );
      const tallied = async () =>
        [...(await system.deps.repository.reportMonths(months))].filter(([, month]) => month.tally).length;
      expect(await tallied()).toBe(0);
      await system.clock.advanceTo(new Date('2026-03-03T08:01:00Z'));
      expect(await tallied()).toBe(12);
    } finally {
      await system.stop();
    }
  });
});
