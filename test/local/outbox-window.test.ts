import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalSystem, OUTBOX_FILE, startLocalSystem } from '../../infra/local/system.ts';

const START = new Date('2026-03-02T10:00:00Z');

async function start(dataDir: string, outboxEmailsKept: number): Promise<LocalSystem> {
  // The SES emulator's outbox is module state: emptied, so this start holds only what its data directory puts back.
  getStoreReadonly().emails.length = 0;
  return startLocalSystem({
    profile: 'code-baseline',
    dataDir,
    start: START,
    validateAsl: false,
    outboxEmailsKept,
  });
}

async function storedSubjects(system: LocalSystem): Promise<string[]> {
  const { emails } = (await (await fetch(`${system.sesUrl}/store`)).json()) as {
    emails: Array<{ subject: string; destination: { to: string[] } }>;
  };
  return emails.map((email) => `${email.destination.to.join(',')} ${email.subject}`);
}

describe('the SES emulator keeps a window of the newest emails', () => {
  let system: LocalSystem | undefined;
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  it('holds only the newest emails in memory while outbox.jsonl keeps every one, across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outbox-window-'));
    system = await start(dataDir, 3);
    for (let letter = 1; letter <= 5; letter++) {
      await system.deps.mailer.send({
        from: 'complaints@landlord.localhost',
        to: [`resident${letter}@resident.example`],
        subject: `Letter ${letter}`,
        text: `Letter ${letter}`,
        html: `<p>Letter ${letter}</p>`,
      });
    }

    const newest = [
      'resident3@resident.example Letter 3',
      'resident4@resident.example Letter 4',
      'resident5@resident.example Letter 5',
    ];
    expect(await storedSubjects(system)).toEqual(newest);
    const file = readFileSync(join(dataDir, OUTBOX_FILE), 'utf8').trim().split('\n');
    expect(file.map((line) => (JSON.parse(line) as { subject: string }).subject)).toEqual([
      'Letter 1',
      'Letter 2',
      'Letter 3',
      'Letter 4',
      'Letter 5',
    ]);

    await system.stop();
    system = await start(dataDir, 3);
    expect(await storedSubjects(system)).toEqual(newest);
  });
});
