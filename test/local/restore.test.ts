import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
import { afterEach, describe, expect, it } from 'vitest';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { exportLocalData, importLocalData, LocalBackupError } from '../../infra/local/backup.ts';
import { CLEAN_STOP_FILE } from '../../infra/local/data-dir.ts';
import { type LocalSystem, OUTBOX_FILE, startLocalSystem } from '../../infra/local/system.ts';

const START = new Date('2026-03-02T10:00:00Z');

async function start(dataDir: string): Promise<LocalSystem> {
  // The SES emulator's outbox is module state: emptied, so this start holds only what its data directory puts back.
  getStoreReadonly().emails.length = 0;
  return startLocalSystem({ profile: 'code-baseline', dataDir, start: START });
}

function filesUnder(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name);
        return [path.slice(dir.length), readFileSync(path, 'utf8')];
      }),
  );
}

describe('restoring the local store from an export', () => {
  let system: LocalSystem | undefined;
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  it('brings back every case, timeline, letter, attachment and email into a fresh data directory', async () => {
    const original = mkdtempSync(join(tmpdir(), 'restore-from-'));
    system = await start(original);
    const resident = { kind: 'resident', id: 'restore-test' } as const;
    const byPost = await submitComplaint(
      system.deps,
      {
        complainant: {
          name: 'Ada Post',
          address: '1 Letter Lane, Leeds LS1 1AA',
          preferredContact: 'post',
        },
        complaint: { whatHappened: 'Damp in the bedroom', outcomeWanted: 'Fix the damp' },
      },
      'restore-post',
      resident,
    );
    await system.deps.attachments.put(
      'restore/photo.jpg',
      new Uint8Array([0xff, 0xd8, 0xff, 1, 2]),
      'image/jpeg',
    );
    const byEmail = await submitComplaint(
      system.deps,
      {
        complainant: { name: 'Bo Email', email: 'bo@resident.example', preferredContact: 'email' },
        complaint: { whatHappened: 'Boiler broken', outcomeWanted: 'Repair it' },
      },
      'restore-email',
      resident,
    );
    const cases = [byPost.caseId, byEmail.caseId];
    // An execution starts after its intake answers: wait for both cases' triage tasks before reading them.
    for (let tries = 0; tries < 300; tries++) {
      await system.settle();
      const tasks = await Promise.all(cases.map((id) => system?.deps.repository.tasksForCase(id)));
      if (tasks.every((list) => list?.length)) break;
      await new Promise((ready) => setTimeout(ready, 100));
    }
    const before = {
      events: await Promise.all(cases.map((id) => system?.deps.repository.loadEvents(id))),
      states: await Promise.all(cases.map((id) => system?.deps.repository.getProjection(id))),
      tasks: await Promise.all(cases.map((id) => system?.deps.repository.tasksForCase(id))),
    };
    await system.stop();
    system = undefined;
    expect(before.tasks.map((tasks) => tasks?.map((task) => task.step))).toEqual([['triage'], ['triage']]);
    const filesBefore = filesUnder(original);
    // What the restore must bring back: a letter for post, the receipt email, the photo.
    expect(Object.keys(filesBefore).some((path) => path.startsWith('/letters/'))).toBe(true);
    expect(filesBefore[`/${OUTBOX_FILE}`]).toContain('bo@resident.example');
    expect(before.events.map((events) => events?.map((event) => event.type))).toEqual([
      expect.arrayContaining(['received', 'correspondence-sent']),
      expect.arrayContaining(['received', 'correspondence-sent']),
    ]);

    const file = join(mkdtempSync(join(tmpdir(), 'restore-export-')), 'export.json');
    const exported = await exportLocalData(original, file);
    expect(exported.items).toBeGreaterThan(0);
    rmSync(original, { recursive: true, force: true });

    const restored = join(mkdtempSync(join(tmpdir(), 'restore-to-')), 'data');
    expect(await importLocalData(file, restored)).toEqual(exported);
    const filesAfter = filesUnder(restored);
    for (const [path, content] of Object.entries(filesBefore)) {
      if (path.startsWith('/dynamodb/') || path === '/running.json' || path === `/${CLEAN_STOP_FILE}`)
        continue;
      expect(filesAfter[path], path).toBe(content);
    }
    // The marker speaks for the table it was written beside: the restored table's first start repairs it.
    expect(filesBefore[`/${CLEAN_STOP_FILE}`]).toBeDefined();
    expect(filesAfter[`/${CLEAN_STOP_FILE}`]).toBeUndefined();

    system = await start(restored);
    const { repository, attachments } = system.deps;
    expect(await Promise.all(cases.map((id) => repository.loadEvents(id)))).toEqual(before.events);
    expect(await Promise.all(cases.map((id) => repository.getProjection(id)))).toEqual(before.states);
    expect(await Promise.all(cases.map((id) => repository.tasksForCase(id)))).toEqual(before.tasks);
    expect(await repository.findCaseIdByReference(byPost.reference)).toBe(byPost.caseId);
    expect([...((await attachments.get('restore/photo.jpg'))?.bytes ?? [])]).toEqual([
      0xff, 0xd8, 0xff, 1, 2,
    ]);
    const outbox = (await (await fetch(`${system.sesUrl}/store`)).json()) as { emails: unknown[] };
    expect(JSON.stringify(outbox.emails)).toContain('bo@resident.example');
  });

  it('refuses to restore over data, and a file that is not an export', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'restore-bad-')), 'export.json');
    writeFileSync(file, JSON.stringify({ hello: 'world' }));
    const empty = mkdtempSync(join(tmpdir(), 'restore-empty-'));
    await expect(importLocalData(file, empty)).rejects.toThrow(/not a local export/);
    const used = mkdtempSync(join(tmpdir(), 'restore-used-'));
    writeFileSync(join(used, 'runtime.json'), '{}');
    writeFileSync(
      file,
      JSON.stringify({ format: 'complaints-local-export', version: 1, table: { items: [] }, files: [] }),
    );
    await expect(importLocalData(file, used)).rejects.toThrow(LocalBackupError);
    await expect(importLocalData(file, used)).rejects.toThrow(/not empty/);
  });
});
