import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { loadProfile } from '#shared/policy/load-profile.ts';
import type { ProfileChangeReport } from '#shared/usecases/profile-change.ts';
import { asksForHelp } from '../../bin/args.ts';
import { powertoolsEnvironment, stackPrefix } from '../powertools-environment.ts';
import { liveRuntimeOn } from './data-dir.ts';
import { DEMO_USERS } from './demo-users.ts';
import type { Runtime } from './runtime.ts';

type Output = { out: (text: string) => void; err: (text: string) => void };

export const SUBCOMMAND_USAGE = {
  start: `  start   [--provider <preset id | path>] [--port <n>] [--ses-port <n>] [--smtp-port <n>] [--data-dir <dir>]
          [--start <instant>]
          Runs the whole system on this machine (same as npm start), with an SMTP listener for inbound email.`,
  advance: `  advance (--working-days <n> | --days <n> | --hours <n> | --to <YYYY-MM-DD | ISO instant>)
          [--data-dir <dir> | --url <runtime url>]
          Moves the running runtime's virtual clock forward; every wait, reminder and deadline on the way falls
          due in order. Finds the runtime started on that data directory (default .data) wherever its port is.`,
  reset: `  reset   [--data-dir <dir>] [--yes]
          Deletes all local data (cases, emails, letters, the clock) after confirmation; refused while a runtime
          runs on that data directory (stop it first).`,
  export: `  export  <file> [--data-dir <dir>]
          Writes every case, event, task, letter, attachment, raw email and the outbox of a stopped runtime's
          data directory to one JSON file (the local backup; docs/operations.md).`,
  import: `  import  <file> [--data-dir <dir>]
          Restores an export into a new or empty data directory; start the runtime on it to carry on.`,
} as const;

const ENVIRONMENT =
  'Environment: COMPLAINTS_PROVIDER, COMPLAINTS_PORT, COMPLAINTS_SES_PORT, COMPLAINTS_SMTP_PORT, COMPLAINTS_DATA_DIR, COMPLAINTS_URL.';

export const LOCAL_USAGE = `Usage: complaints local <command>   (complaints local <command> --help for one command)

${Object.values(SUBCOMMAND_USAGE).join('\n')}

${ENVIRONMENT}`;

export class LocalUsageError extends Error {
  override readonly name = 'UsageError';
}

/** The start banner's lines about a provider profile changed since the last start (none when unchanged). */
function profileChangeLines(report: ProfileChangeReport | undefined): string[] {
  if (report?.outcome !== 'applied') return [];
  const later = report.changes.filter((change) => change.direction === 'later').length;
  return [
    `  The provider profile changed since the last start: ${report.reason}`,
    `  Recorded on ${report.changes.length} open case(s): ${later} due date(s) moved later (${report.lettersSent} resident letter(s) sent), ${report.changes.length - later} kept.`,
  ];
}

/**
 * The banner's advance command for this runtime: without --data-dir it would move the runtime on .data (or on
 * the COMPLAINTS_DATA_DIR of the shell it runs in), another one when this one runs elsewhere.
 */
export function advanceHint(given: string, resolved: string): string {
  const command = 'npx complaints local advance --working-days 5';
  if (resolved === resolve('.data')) return command;
  const quoted = /^[\w./:@%+=,-]+$/.test(given) ? given : `'${given.replaceAll("'", "'\\''")}'`;
  return `${command} --data-dir ${quoted}`;
}

/** What `complaints local start` (and `npm start`) accepts: its usage above and the README list each one. */
export const START_OPTIONS = {
  provider: { type: 'string' },
  port: { type: 'string' },
  'ses-port': { type: 'string' },
  'smtp-port': { type: 'string' },
  'data-dir': { type: 'string' },
  start: { type: 'string' },
} as const;

export async function localStart(args: string[], io: Output): Promise<number> {
  const { values } = parseArgs({ args, options: START_OPTIONS, strict: true });
  const startAt = values.start ? new Date(values.start) : undefined;
  if (startAt && Number.isNaN(startAt.getTime()))
    throw new LocalUsageError('--start must be an ISO date or instant');
  const port = Number(values.port ?? process.env.COMPLAINTS_PORT ?? 3000);
  const sesPort = Number(values['ses-port'] ?? process.env.COMPLAINTS_SES_PORT ?? 8005);
  const smtpPort = Number(values['smtp-port'] ?? process.env.COMPLAINTS_SMTP_PORT ?? 2525);
  if (!Number.isInteger(port) || !Number.isInteger(sesPort) || !Number.isInteger(smtpPort))
    throw new LocalUsageError('--port, --ses-port and --smtp-port must be numbers');
  const provider = values.provider ?? process.env.COMPLAINTS_PROVIDER ?? 'code-baseline';
  const started = performance.now();
  // Named as the provider's stack names its functions: Powertools reads these when each handler module loads,
  // so they are set before the runtime (and every handler) is imported.
  const prefix = stackPrefix(loadProfile(provider).id);
  for (const [name, value] of Object.entries(powertoolsEnvironment(prefix))) process.env[name] ??= value;
  const dataDir = values['data-dir'] ?? process.env.COMPLAINTS_DATA_DIR ?? '.data';
  const { DataDirInUseError, PortInUseError, startRuntime } = await import('./runtime.ts');
  let runtime: Runtime;
  try {
    runtime = await startRuntime({
      provider,
      port,
      sesPort,
      smtpPort,
      dataDir,
      start: startAt,
      log: io.err,
    });
  } catch (error) {
    if (error instanceof PortInUseError || error instanceof DataDirInUseError) {
      io.err(`complaints: ${error.message}`);
      return 3;
    }
    throw error;
  }
  const profile = runtime.system.deps.context.profile;
  io.out(
    [
      `Complaints workflow for ${profile.name} (provider "${profile.id}"), running locally in ${Math.round(performance.now() - started)} ms`,
      '',
      `  Resident complaint form and pages   ${runtime.url}/`,
      `  Staff console                       ${runtime.url}/staff`,
      `  How to complain (published policy)  ${runtime.url}/how-to-complain`,
      `  Email outbox (SES emulator)         ${runtime.sesUrl}/`,
      `  Inbound email (SMTP)                ${runtime.smtp.url}  (email complaints to ${runtime.smtp.inbox})`,
      `  API                                 ${runtime.url}  (docs/api.md)`,
      `  Virtual clock                       ${runtime.system.clock.now().toISOString()}  (${advanceHint(dataDir, runtime.dataDir)})`,
      `  Data                                ${runtime.dataDir}`,
      '',
      `  Demo staff: ${DEMO_USERS.map((user) => `${user.id} (${user.role})`).join(', ')}`,
      runtime.resumed
        ? `  Resumed ${runtime.resumed} open case(s) from the event log.`
        : '  No open cases to resume.',
      ...profileChangeLines(runtime.system.profileChange),
      '',
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.out('\nStopping...');
      runtime.stop().then(done, done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

/** The runtime a command talks to: --url (or COMPLAINTS_URL), else the one running on the data directory. */
async function findRuntime(
  values: { url?: string; 'data-dir'?: string },
  io: Output,
): Promise<{ url: string; which: string } | undefined> {
  const dataDir = resolve(values['data-dir'] ?? process.env.COMPLAINTS_DATA_DIR ?? '.data');
  const explicit = values.url ?? process.env.COMPLAINTS_URL;
  // Loaded when used: loading the runtime loads every handler (see localStart).
  const { readRunningRuntime } = await import('./runtime.ts');
  const url = explicit ?? readRunningRuntime(dataDir)?.url;
  if (!url) {
    io.err(
      `complaints: no local runtime is running on ${dataDir}: start it with npm start (or pass --data-dir or --url)`,
    );
    return undefined;
  }
  return { url, which: explicit ? url : `${url} (data in ${dataDir})` };
}

/**
 * GETs a staff route of the running runtime as a demo user: its body, or the exit code after saying what went
 * wrong (3: no runtime answered, 2: the runtime refused).
 */
async function getFromRuntime(
  path: string,
  values: { as: string; url?: string; 'data-dir'?: string },
  io: Output,
): Promise<{ text: string } | number> {
  if (!DEMO_USERS.some((user) => user.id === values.as)) {
    throw new LocalUsageError(
      `--as must be a demo user (${DEMO_USERS.map((user) => user.id).join(', ')}), got "${values.as}"`,
    );
  }
  const runtime = await findRuntime(values, io);
  if (!runtime) return 3;
  let response: Response;
  try {
    response = await fetch(`${runtime.url}${path}`, { headers: { 'x-local-user': values.as } });
  } catch {
    io.err(
      `complaints: no local runtime answered at ${runtime.which}: start it with npm start (or pass --url)`,
    );
    return 3;
  }
  const text = await response.text();
  if (!response.ok) {
    const message = (() => {
      try {
        return (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        return text;
      }
    })();
    io.err(`complaints: ${message}`);
    return 2;
  }
  return { text };
}

export const RETENTION_USAGE = `  retention --dry-run [--as <demo manager or admin>] [--data-dir <dir> | --url <runtime url>]
      Lists what the next retention run will do (the daily tick runs it at 08:00): each closed case past the
      profile's retention, anonymised or with records deleted, and each one a legal hold keeps. From the running
      local runtime's GET /staff/retention, as the demo manager mo unless --as names another.`;

/** `complaints retention --dry-run`: GET /staff/retention on the running runtime. */
export async function localRetention(args: string[], io: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'dry-run': { type: 'boolean', default: false },
      as: { type: 'string', default: 'mo' },
      url: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  if (!values['dry-run']) {
    throw new LocalUsageError(
      'retention runs by itself each day at 08:00 (the daily tick); add --dry-run to list what the next run will do',
    );
  }
  const answer = await getFromRuntime('/staff/retention', values, io);
  if (typeof answer === 'number') return answer;
  io.out(JSON.stringify(JSON.parse(answer.text), null, 2));
  return 0;
}

export const REPORT_USAGE = `  report [--from <YYYY-MM-DD> --to <YYYY-MM-DD>] [--format json|csv|html] [--explain <figure>]
         [--as <demo manager or admin>] [--data-dir <dir> | --url <runtime url>]
      Prints the complaint figures for a period (London dates, both inclusive; default this financial year) from
      the running local runtime's GET /staff/reports, as the demo manager mo unless --as names another.`;

/** `complaints report`: GET /staff/reports on the running runtime, printed as it answers. */
export async function localReport(args: string[], io: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'json' },
      explain: { type: 'string' },
      as: { type: 'string', default: 'mo' },
      url: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  if (!['json', 'csv', 'html'].includes(values.format)) {
    throw new LocalUsageError(`--format must be json, csv or html, got "${values.format}"`);
  }
  const query = new URLSearchParams({ format: values.format });
  if (values.from !== undefined) query.set('from', values.from);
  if (values.to !== undefined) query.set('to', values.to);
  if (values.explain !== undefined) query.set('explain', values.explain);
  const answer = await getFromRuntime(`/staff/reports?${query}`, values, io);
  if (typeof answer === 'number') return answer;
  const text = answer.text;
  io.out(values.format === 'json' ? JSON.stringify(JSON.parse(text), null, 2) : text.trimEnd());
  return 0;
}

export async function localAdvance(args: string[], io: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'working-days': { type: 'string' },
      days: { type: 'string' },
      hours: { type: 'string' },
      to: { type: 'string' },
      url: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  const numeric = (name: 'working-days' | 'days' | 'hours') => {
    const value = values[name];
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < 1)
      throw new LocalUsageError(`--${name} must be a whole number of 1 or more`);
    return Number(value);
  };
  const body = {
    workingDays: numeric('working-days'),
    days: numeric('days'),
    hours: numeric('hours'),
    to: values.to,
  };
  if (Object.values(body).filter((value) => value !== undefined).length !== 1) {
    throw new LocalUsageError('give exactly one of --working-days, --days, --hours or --to');
  }
  const runtime = await findRuntime(values, io);
  if (!runtime) return 3;
  const { url, which } = runtime;
  let response: Response;
  try {
    response = await fetch(`${url}/local/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    io.err(`complaints: no local runtime answered at ${which}: start it with npm start (or pass --url)`);
    return 3;
  }
  const result = (await response.json()) as { now?: string; london?: { date: string }; message?: string };
  if (!response.ok) {
    io.err(`complaints: ${result.message}`);
    return 2;
  }
  io.out(
    `Moved the runtime at ${which}: its virtual clock is now ${result.now} (${result.london?.date} in London).`,
  );
  return 0;
}

export async function localReset(
  args: string[],
  io: Output,
  input: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, yes: { type: 'boolean' } },
    strict: true,
  });
  const dir = resolve(values['data-dir'] ?? process.env.COMPLAINTS_DATA_DIR ?? '.data');
  // Deleting under a running runtime leaves it failing on files it holds open (outbox.jsonl, dynalite's).
  const running = liveRuntimeOn(dir);
  if (running) {
    io.err(
      `complaints: a runtime is using ${dir} (process ${running.pid}, ${running.url}): stop it first (Ctrl-C in its terminal), then reset. Nothing deleted.`,
    );
    return 3;
  }
  if (!values.yes) {
    const prompt = createInterface({ input, output: process.stderr });
    const answer = await prompt.question(
      `Delete every local case, email and letter in ${dir}? Type "yes" to confirm: `,
    );
    prompt.close();
    if (answer.trim().toLowerCase() !== 'yes') {
      io.out('Nothing deleted.');
      return 1;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  io.out(`Deleted ${dir}. The next start begins with an empty system and real time.`);
  return 0;
}

function dataDirAndFile(args: string[], command: 'export' | 'import') {
  const { values, positionals } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    throw new LocalUsageError(`usage: complaints local ${SUBCOMMAND_USAGE[command].trimStart()}`);
  }
  return { file, dir: resolve(values['data-dir'] ?? process.env.COMPLAINTS_DATA_DIR ?? '.data') };
}

export async function localExport(args: string[], io: Output): Promise<number> {
  const { file, dir } = dataDirAndFile(args, 'export');
  const { exportLocalData, LocalBackupError } = await import('./backup.ts');
  try {
    const { items, files } = await exportLocalData(dir, file);
    io.out(`Exported ${dir} to ${file}: ${items} table item(s) and ${files} file(s).`);
    return 0;
  } catch (error) {
    if (!(error instanceof LocalBackupError)) throw error;
    io.err(`complaints: ${error.message}`);
    return 2;
  }
}

export async function localImport(args: string[], io: Output): Promise<number> {
  const { file, dir } = dataDirAndFile(args, 'import');
  const { importLocalData, LocalBackupError } = await import('./backup.ts');
  try {
    const { items, files } = await importLocalData(file, dir);
    io.out(
      `Restored ${file} into ${dir}: ${items} table item(s) and ${files} file(s). Start the runtime with --data-dir ${dir}.`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof LocalBackupError)) throw error;
    io.err(`complaints: ${error.message}`);
    return 2;
  }
}

export async function localCommand(args: string[], io: Output): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'help' || asksForHelp([command ?? ''])) {
    io.out(LOCAL_USAGE);
    return 0;
  }
  if (command && Object.hasOwn(SUBCOMMAND_USAGE, command) && asksForHelp(rest)) {
    io.out(
      `Usage: complaints local ${SUBCOMMAND_USAGE[command as keyof typeof SUBCOMMAND_USAGE].trimStart()}\n\n${ENVIRONMENT}`,
    );
    return 0;
  }
  switch (command) {
    case 'start':
      return localStart(rest, io);
    case 'advance':
      return localAdvance(rest, io);
    case 'reset':
      return localReset(rest, io);
    case 'export':
      return localExport(rest, io);
    case 'import':
      return localImport(rest, io);
    default:
      throw new LocalUsageError(
        `${command ? `unknown local command "${command}"` : 'which local command?'}\n\n${LOCAL_USAGE}`,
      );
  }
}

export const PROFILE_USAGE = `  profile diff <new profile: preset id | path> [--provider <current preset id | path>] [--data-dir <dir>]
               [--at <ISO instant>]
      Lists the open cases of a stopped local runtime whose due dates the new profile would move (reference, which
      date, old -> new); changes nothing. --provider is the profile the runtime runs with (default
      COMPLAINTS_PROVIDER or code-baseline); --at defaults to the runtime's virtual clock.`;

export async function profileCommand(args: string[], io: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'diff') throw new LocalUsageError(`usage: complaints${PROFILE_USAGE.slice(1)}`);
  const { values, positionals } = parseArgs({
    args: rest,
    options: { provider: { type: 'string' }, 'data-dir': { type: 'string' }, at: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [target, ...extra] = positionals;
  if (!target || extra.length > 0) throw new LocalUsageError(`usage: complaints${PROFILE_USAGE.slice(1)}`);
  const at = values.at ? new Date(values.at) : undefined;
  if (at && Number.isNaN(at.getTime())) {
    throw new LocalUsageError(`--at must be an ISO instant such as 2026-03-02T09:00:00Z, got "${values.at}"`);
  }
  const next = loadProfile(target);
  const current = loadProfile(values.provider ?? process.env.COMPLAINTS_PROVIDER ?? 'code-baseline');
  const dir = resolve(values['data-dir'] ?? process.env.COMPLAINTS_DATA_DIR ?? '.data');
  const { diffLocalProfile, virtualNow } = await import('./profile-diff.ts');
  const { LocalBackupError } = await import('./backup.ts');
  const { systemClock } = await import('#shared/ports/clock.ts');
  try {
    const changes = await diffLocalProfile(dir, current, next, at ?? virtualNow(dir, systemClock));
    for (const change of changes) {
      io.out(
        change.direction === 'later'
          ? `${change.reference}  ${change.step}  ${change.oldDueDate} -> ${change.newDueDate}  (later: the resident is told)`
          : `${change.reference}  ${change.step}  ${change.oldDueDate} kept  (the new profile would bring it earlier; a date given to the resident never moves earlier)`,
      );
    }
    io.out(
      `${changes.filter((change) => change.direction === 'later').length} open case(s) would have a due date moved later, ${changes.filter((change) => change.direction === 'kept').length} kept; nothing was changed.`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof LocalBackupError)) throw error;
    io.err(`complaints: ${error.message}`);
    return 2;
  }
}
