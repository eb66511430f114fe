import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS_DIR } from '#shared/policy/load-profile.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { main } from '../../bin/cli.ts';
import { exportLocalData } from '../../infra/local/backup.ts';
import { startLocalSystem } from '../../infra/local/system.ts';

const dir = mkdtempSync(join(tmpdir(), 'profile-diff-'));
const baseline = JSON.parse(readFileSync(join(PROVIDERS_DIR, 'code-baseline.json'), 'utf8'));

function profileWithHoliday(date: string): string {
  const file = join(dir, `profile-${date}.json`);
  const calendar = { ...baseline.calendar, extraBankHolidays: [{ date, reason: 'Announced bank holiday' }] };
  writeFileSync(file, JSON.stringify({ ...baseline, calendar }));
  return file;
}

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dataDir = join(dir, 'data');
const at = '2026-03-03T09:00:00Z';

describe('complaints profile diff', () => {
  beforeAll(async () => {
    getStoreReadonly().emails.length = 0;
    const system = await startLocalSystem({
      profile: 'code-baseline',
      dataDir,
      start: new Date('2026-03-02T10:00:00Z'),
    });
    try {
      const { caseId } = await submitComplaint(
        system.deps,
        {
          complainant: { name: 'Ada Diff', email: 'ada@resident.example', preferredContact: 'email' },
          complaint: { whatHappened: 'Boiler broken', outcomeWanted: 'Repair it' },
        },
        'profile-diff',
        { kind: 'resident', id: 'profile-diff-test' },
      );
      for (let tries = 0; tries < 300; tries++) {
        await system.settle();
        if ((await system.deps.repository.tasksForCase(caseId)).length) break;
        await new Promise((ready) => setTimeout(ready, 100));
      }
    } finally {
      await system.stop();
    }
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Received Monday 2 March 2026 at 10:00: the baseline's 5 working days (3, 4, 5, 6, 9 March) make the
  // acknowledgement due on Monday 9 March; a bank holiday on 4 March makes it Tuesday 10 March.
  it('lists an open case whose due date a bank holiday inside its window moves, and changes nothing', async () => {
    const before = join(dir, 'before.json');
    const after = join(dir, 'after.json');
    await exportLocalData(dataDir, before, new Date(at));
    const result = await run(
      'profile',
      'diff',
      profileWithHoliday('2026-03-04'),
      '--data-dir',
      dataDir,
      '--at',
      at,
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^CMP-\d{4}-\d{6} {2}triage {2}2026-03-09 -> 2026-03-10 {2}\(later/);
    expect(result.out).toContain(
      '1 open case(s) would have a due date moved later, 0 kept; nothing was changed.',
    );
    await exportLocalData(dataDir, after, new Date(at));
    expect(JSON.parse(readFileSync(after, 'utf8')).table).toEqual(
      JSON.parse(readFileSync(before, 'utf8')).table,
    );
  }, 30_000);

  it('lists nothing for a bank holiday after the due date', async () => {
    const result = await run(
      'profile',
      'diff',
      profileWithHoliday('2026-03-10'),
      '--data-dir',
      dataDir,
      '--at',
      at,
    );
    expect(result.code).toBe(0);
    expect(result.out).toBe('0 open case(s) would have a due date moved later, 0 kept; nothing was changed.');
  }, 30_000);

  it('runs as the `complaints` bin with nothing on stderr: no AWS SDK warning about Node 20', async () => {
    // The test runner's environment silences the warning (vitest.config.ts); the bin must do it itself.
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _silenced, ...env } = process.env;
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        'bin/complaints.mjs',
        'profile',
        'diff',
        profileWithHoliday('2026-03-04'),
        '--data-dir',
        dataDir,
        '--at',
        at,
      ],
      { env },
    );
    expect(stderr).toBe('');
    expect(stdout).toContain('1 open case(s) would have a due date moved later');
  }, 120_000);

  it('says what is wrong with a missing or invalid profile file, exit 2', async () => {
    const missing = await run('profile', 'diff', join(dir, 'nope.json'), '--data-dir', dataDir);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('No provider profile');
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ ...baseline, calendar: { region: 'atlantis' } }));
    const bad = await run('profile', 'diff', invalid, '--data-dir', dataDir);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/is not valid:\n {2}- calendar\.region/);
    const noData = await run('profile', 'diff', 'code-baseline', '--data-dir', join(dir, 'empty'));
    expect(noData.code).toBe(2);
    expect(noData.err).toContain('has no local data');
  });
});
