import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { advanceHint } from '../../infra/local/cli.ts';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('complaints CLI', () => {
  it('deadline prints the due date, the instant and the skipped days as JSON', async () => {
    const result = await run(
      'deadline',
      '--region',
      'scotland',
      '--from',
      '2026-11-27T15:00:00Z',
      '--working-days',
      '2',
    );
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.out);
    // Friday 27 Nov, then the weekend and St Andrew's Day (Monday 30 Nov in Scotland).
    expect(parsed).toMatchObject({ dueDate: '2026-12-02', dueAt: '2026-12-02T23:59:59.999Z' });
    expect(parsed.skipped.map((day: { date: string }) => day.date)).toEqual([
      '2026-11-28',
      '2026-11-29',
      '2026-11-30',
    ]);
  });

  it('deadline honours --cutoff', async () => {
    const result = await run(
      'deadline',
      '--region',
      'england-and-wales',
      '--from',
      '2026-11-27T16:45:00Z',
      '--working-days',
      '1',
      '--cutoff',
      '16:30',
    );
    expect(JSON.parse(result.out).dueDate).toBe('2026-12-01');
  });

  it.each([
    [
      ['deadline', '--region', 'wales', '--from', '2026-01-01T00:00:00Z', '--working-days', '5'],
      /--region must be one of/,
    ],
    [['deadline', '--region', 'scotland', '--working-days', '5'], /--from is required/],
    [
      ['deadline', '--region', 'scotland', '--from', 'yesterday', '--working-days', '5'],
      /not an ISO 8601 instant/,
    ],
    [
      ['deadline', '--region', 'scotland', '--from', '2026-01-01T00:00:00Z', '--working-days', 'five'],
      /whole number/,
    ],
    [['deadline', '--bogus'], /Unknown option '--bogus'/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['policy', 'check'], /usage: complaints policy check/],
    [['policy', 'check', 'no-such-landlord'], /No provider profile "no-such-landlord"/],
    [
      ['deadline', '--region', 'scotland', '--from', '2040-01-01T00:00:00Z', '--working-days', '5'],
      /outside the bank holiday table/,
    ],
  ])('refuses %j with a clear message and exit 2', async (argv, message) => {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['deadline', '--help'], /Usage: complaints deadline --region/],
    [['deadline', '--region', 'scotland', '-h'], /Usage: complaints deadline --region/],
    [['policy', '--help'], /Usage: complaints policy check/],
    [['policy', 'check', '--help'], /Usage: complaints policy check/],
    [['timeline', '--help'], /Usage: complaints timeline --provider/],
    [['local', '--help'], /Usage: complaints local <command>[\s\S]*advance/],
    [['local', 'help'], /Usage: complaints local <command>/],
    [['local', 'start', '--help'], /Usage: complaints local start/],
    [['local', 'advance', '--help'], /Usage: complaints local advance \(--working-days/],
    [['local', 'reset', '-h'], /Usage: complaints local reset/],
    [['--help'], /Usage: complaints <command>/],
  ])('%j prints its usage and exits 0', async (argv, usage) => {
    const result = await run(...argv);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(usage);
  });

  it('policy check exits 0 for a compliant preset and 1 listing every finding otherwise', async () => {
    expect((await run('policy', 'check', 'code-baseline')).code).toBe(0);
    const failing = await run('policy', 'check', 'living-plus');
    expect(failing.code).toBe(1);
    expect(failing.out.match(/✗/g)).toHaveLength(12);
    expect(failing.out).toMatch(/raisingWindow; found: 6 months; limit: at least 12 months/);
  });

  it('timeline prints every due date with its explanation', async () => {
    const result = await run(
      'timeline',
      '--provider',
      'code-baseline',
      '--received',
      '2026-12-21T10:00:00Z',
      '--acknowledged',
      '2026-12-23T10:00:00Z',
      '--extension1',
      '5',
      '--responded',
      '2027-01-15T10:00:00Z',
      '--escalated',
      '2027-01-18T10:00:00Z',
      '--stage2-acknowledged',
      '2027-01-20T10:00:00Z',
    );
    expect(result.code).toBe(0);
    const entries = JSON.parse(result.out) as Array<{ step: string; dueDate: string; explanation: string }>;
    expect(entries.map((entry) => [entry.step, entry.dueDate])).toEqual([
      ['Stage 1 acknowledgement', '2026-12-30'],
      ['Stage 1 response', '2027-01-11'],
      ['Stage 1 response (extended)', '2027-01-18'],
      ['Stage 2 acknowledgement', '2027-01-25'],
      ['Stage 2 (final) response', '2027-02-17'],
    ]);
    expect(entries[0]?.explanation).toMatch(
      /Not counted: .*2026-12-25 \(bank holiday \(England and Wales\): Christmas Day\)/,
    );
  });

  it("the start banner's advance command names the data directory unless it is .data", () => {
    expect(advanceHint('.data', resolve('.data'))).toBe('npx complaints local advance --working-days 5');
    expect(advanceHint('./.data', resolve('.data'))).toBe('npx complaints local advance --working-days 5');
    expect(advanceHint('/tmp/demo', '/tmp/demo')).toBe(
      'npx complaints local advance --working-days 5 --data-dir /tmp/demo',
    );
    // Pasted into a shell as printed.
    expect(advanceHint("my data's copy", resolve("my data's copy"))).toBe(
      "npx complaints local advance --working-days 5 --data-dir 'my data'\\''s copy'",
    );
  });

  it('runs as the `complaints` bin', async () => {
    const { stdout } = await promisify(execFile)('node', [
      'bin/complaints.mjs',
      'policy',
      'check',
      'amplius',
    ]);
    expect(stdout).toMatch(/amplius: compliant/);
    const failure = await promisify(execFile)('node', ['bin/complaints.mjs', 'nonsense']).catch(
      (error) => error,
    );
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/Usage: complaints <command>/);
  });
  it('report refuses a bad format or user, and says when no runtime is running', async () => {
    const format = await run('report', '--format', 'pdf');
    expect(format.code).toBe(2);
    expect(format.err).toMatch(/--format must be json, csv or html, got "pdf"/);
    const user = await run('report', '--as', 'nobody');
    expect(user.code).toBe(2);
    expect(user.err).toMatch(/--as must be a demo user/);
    const none = await run('report', '--data-dir', '/nonexistent/complaints-data');
    expect(none.code).toBe(3);
    expect(none.err).toMatch(/no local runtime is running on \/nonexistent\/complaints-data/);
    expect((await run('report', '--help')).out).toMatch(/Usage: complaints report \[--from <YYYY-MM-DD>/);
  });
});
