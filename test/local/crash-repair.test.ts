import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import { recordEvent } from '#shared/usecases/case-log.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { CLEAN_STOP_FILE } from '../../infra/local/data-dir.ts';
import { type LocalSystem, startLocalSystem } from '../../infra/local/system.ts';

const START = new Date('2026-03-02T10:00:00Z');

async function start(dataDir: string): Promise<LocalSystem> {
  getStoreReadonly().emails.length = 0;
  return startLocalSystem({ profile: 'code-baseline', dataDir, start: START });
}

/**
 * What a kill -9 between dynalite's index writes and its item write leaves: the case's items with none of their
 * index entries, and no clean-stop marker. Done on the stopped store's LevelDB, as the kill would leave it.
 */
async function tearIndexEntries(dataDir: string, caseId: string): Promise<number> {
  rmSync(join(dataDir, CLEAN_STOP_FILE));
  const db = new Level<string, { pk?: { S?: string } }>(join(dataDir, 'dynamodb'), { valueEncoding: 'json' });
  let torn = 0;
  try {
    for await (const [key, value] of db.iterator()) {
      if (key.startsWith('index-') && value.pk?.S === `CASE#${caseId}`) {
        await db.del(key);
        torn++;
      }
    }
  } finally {
    await db.close();
  }
  return torn;
}

describe('starting again after a kill -9 left half-written items', () => {
  let system: LocalSystem | undefined;
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  it('lists every case and task its index lost, catches up a lagging projection and resumes the case', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crash-repair-'));
    system = await start(dataDir);
    const resident = { kind: 'resident', id: 'crash-repair' } as const;
    const { caseId } = await submitComplaint(
      system.deps,
      {
        complainant: { name: 'Ida Index', email: 'ida@resident.example', preferredContact: 'email' },
        complaint: { whatHappened: 'Leaking roof', outcomeWanted: 'Repair it' },
      },
      'crash-repair-1',
      resident,
    );
    for (let tries = 0; tries < 300 && !(await system.deps.repository.queue('handler')).length; tries++) {
      await system.settle();
      await new Promise((ready) => setTimeout(ready, 50));
    }
    const [triage] = await system.deps.repository.queue('handler');
    expect(triage).toMatchObject({ caseId, step: 'triage', status: 'open' });
    // The event written, the projection not: the kill came between a staff note's two writes.
    const staff = { kind: 'staff', id: 'hannah', role: 'handler' } as const;
    await recordEvent(
      system.deps,
      caseId,
      (_state, at) => ({ type: 'note-added', at, by: staff, text: 'Written before the kill' }) as never,
      undefined,
      { project: false },
    );
    await system.stop();
    expect(await tearIndexEntries(dataDir, caseId)).toBeGreaterThan(0);

    system = await start(dataDir);
    expect(
      (await system.deps.repository.listByStatus('awaiting-triage')).map((state) => state.caseId),
    ).toEqual([caseId]);
    expect(await system.deps.repository.queue('handler')).toMatchObject([{ taskId: triage?.taskId }]);
    await system.resumeOpenCases();
    const events = await system.deps.repository.loadEvents(caseId);
    expect(await system.deps.repository.getProjection(caseId)).toMatchObject({ seq: events.length });
    expect(system.sfn.latestExecutions().map((execution) => execution.input)).toEqual([{ caseId }]);
  });

  it('writes nothing again after a clean stop, and repairs the next start after an unclean one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crash-repair-'));
    system = await start(dataDir);
    // A directory with no marker (new, or from a runtime before the marker existed) is repaired once.
    expect(system.uncleanStop).toEqual({ reindexed: 0 });
    await submitComplaint(
      system.deps,
      {
        complainant: { name: 'Cleo Clean', email: 'cleo@resident.example', preferredContact: 'email' },
        complaint: { whatHappened: 'Broken gate', outcomeWanted: 'Fix it' },
      },
      'clean-stop-1',
      { kind: 'resident', id: 'clean-stop' },
    );
    await system.stop();
    expect(existsSync(join(dataDir, CLEAN_STOP_FILE))).toBe(true);

    system = await start(dataDir);
    expect(system.uncleanStop).toBeUndefined();
    // Removed while running: a kill now leaves no marker, so the next start repairs.
    expect(existsSync(join(dataDir, CLEAN_STOP_FILE))).toBe(false);
    await system.stop();

    rmSync(join(dataDir, CLEAN_STOP_FILE));
    system = await start(dataDir);
    expect(system.uncleanStop?.reindexed).toBeGreaterThan(0);
  });
});
