import { parseArgs } from 'node:util';
import { deadline } from '../shared/calendar/deadline.ts';
import {
  CALENDAR_REGIONS,
  type CalendarRegion,
  createWorkingCalendar,
} from '../shared/calendar/working-calendar.ts';
import { timeline } from '../shared/domain/timeline.ts';
import { formatLintReport, lintProfile } from '../shared/policy/lint.ts';
import { loadProfile } from '../shared/policy/load-profile.ts';
import { asksForHelp } from './args.ts';

/** Each command's usage, printed by `complaints <command> --help` and in the overall usage. */
export const COMMAND_USAGE = {
  deadline: `  deadline --region <${CALENDAR_REGIONS.join('|')}> --from <ISO instant> --working-days <N> [--cutoff HH:MM]
      Prints the due date of "within N working days" of an event, as JSON, with the days skipped and why.`,
  policy: `  policy check <preset id | path to profile.json>
      Checks a provider profile against its jurisdiction's baseline (the Complaint Handling Code in England).
      Exit 0 when compliant (explained departures are listed), 1 with every finding otherwise.`,
  timeline: `  timeline --provider <preset id | path> --received <ISO> [--acknowledged <ISO>] [--extension1 <N>]
           [--responded <ISO>] [--escalated <ISO>] [--stage2-acknowledged <ISO>] [--extension2 <N>]
      Prints every due date of the complaint's lifecycle under the provider's policy, with explanations.`,
  report: `  report [--from <YYYY-MM-DD> --to <YYYY-MM-DD>] [--format json|csv|html] [--explain <figure>] [--url <runtime>]
      Prints the complaint figures for a period from the running local runtime (complaints report --help).`,
  profile: `  profile diff <new profile: preset id | path> [--provider <current>] [--data-dir <dir>] [--at <ISO instant>]
      Lists the open local cases whose due dates the new profile would move; changes nothing.`,
  retention: `  retention --dry-run [--as <demo manager or admin>] [--url <runtime>]
      Lists what the next retention run will do, from the running local runtime (complaints retention --help).`,
  local: `  local <start|advance|reset|export|import> ...
      The embedded local runtime: see \`complaints local --help\` and the README.`,
} as const;

const INSTANTS =
  'Instants are ISO 8601 with an offset, e.g. 2026-03-02T09:30:00Z or 2026-07-01T10:00:00+01:00.';

export const USAGE = `Usage: complaints <command> [options]   (complaints <command> --help for one command)

Commands:
${Object.values(COMMAND_USAGE).join('\n\n')}

${INSTANTS}`;

function commandUsage(command: 'deadline' | 'policy' | 'timeline'): string {
  return `Usage: complaints${COMMAND_USAGE[command].slice(1)}\n\n${INSTANTS}`;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Output = { out: (text: string) => void; err: (text: string) => void };
const consoleOutput: Output = { out: (text) => console.log(text), err: (text) => console.error(text) };

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function wholeNumber(value: string, name: string): number {
  if (!/^\d+$/.test(value))
    throw new UsageError(`--${name} must be a whole number of 0 or more, got "${value}"`);
  return Number(value);
}

function deadlineCommand(args: string[], io: Output): number {
  const { values } = parseArgs({
    args,
    options: {
      region: { type: 'string' },
      from: { type: 'string' },
      'working-days': { type: 'string' },
      cutoff: { type: 'string' },
    },
    strict: true,
  });
  const region = required(values, 'region');
  if (!(CALENDAR_REGIONS as readonly string[]).includes(region)) {
    throw new UsageError(`--region must be one of ${CALENDAR_REGIONS.join(', ')}, got "${region}"`);
  }
  const workingDays = wholeNumber(required(values, 'working-days'), 'working-days');
  const calendar = createWorkingCalendar(region as CalendarRegion);
  io.out(JSON.stringify(deadline(calendar, required(values, 'from'), workingDays, values.cutoff), null, 2));
  return 0;
}

function policyCommand(args: string[], io: Output): number {
  const [sub, target, ...rest] = args;
  if (sub !== 'check' || !target || rest.length > 0) {
    throw new UsageError('usage: complaints policy check <preset id | path to profile.json>');
  }
  const report = lintProfile(loadProfile(target));
  io.out(formatLintReport(report));
  return report.compliant ? 0 : 1;
}

function timelineCommand(args: string[], io: Output): number {
  const { values } = parseArgs({
    args,
    options: {
      provider: { type: 'string' },
      received: { type: 'string' },
      acknowledged: { type: 'string' },
      extension1: { type: 'string' },
      responded: { type: 'string' },
      escalated: { type: 'string' },
      'stage2-acknowledged': { type: 'string' },
      extension2: { type: 'string' },
    },
    strict: true,
  });
  const profile = loadProfile(required(values, 'provider'));
  const result = timeline(profile, {
    receivedAt: required(values, 'received'),
    acknowledgedAt: values.acknowledged,
    stage1ExtensionWorkingDays: values.extension1 ? wholeNumber(values.extension1, 'extension1') : undefined,
    stage1RespondedAt: values.responded,
    escalationRequestedAt: values.escalated,
    stage2AcknowledgedAt: values['stage2-acknowledged'],
    stage2ExtensionWorkingDays: values.extension2 ? wholeNumber(values.extension2, 'extension2') : undefined,
  });
  io.out(JSON.stringify(result, null, 2));
  return 0;
}

export async function main(argv: string[], io: Output = consoleOutput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if ((command === 'deadline' || command === 'policy' || command === 'timeline') && asksForHelp(rest)) {
      io.out(commandUsage(command));
      return 0;
    }
    switch (command) {
      case 'deadline':
        return deadlineCommand(rest, io);
      case 'policy':
        return policyCommand(rest, io);
      case 'timeline':
        return timelineCommand(rest, io);
      case 'report': {
        const { localReport, REPORT_USAGE } = await import('../infra/local/cli.ts');
        if (asksForHelp(rest)) {
          io.out(`Usage: complaints${REPORT_USAGE.slice(1)}`);
          return 0;
        }
        return await localReport(rest, io);
      }
      case 'profile': {
        const { profileCommand, PROFILE_USAGE } = await import('../infra/local/cli.ts');
        if (asksForHelp(rest)) {
          io.out(`Usage: complaints${PROFILE_USAGE.slice(1)}`);
          return 0;
        }
        return await profileCommand(rest, io);
      }
      case 'retention': {
        const { localRetention, RETENTION_USAGE } = await import('../infra/local/cli.ts');
        if (asksForHelp(rest)) {
          io.out(`Usage: complaints${RETENTION_USAGE.slice(1)}`);
          return 0;
        }
        return await localRetention(rest, io);
      }
      case 'local': {
        const { localCommand } = await import('../infra/local/cli.ts');
        return await localCommand(rest, io);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    const known =
      error instanceof UsageError ||
      error instanceof RangeError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ||
      (error instanceof Error &&
        ['ProfileError', 'ValidationError', 'CalendarRangeError', 'UsageError'].includes(error.name));
    io.err(`complaints: ${known ? '' : 'unexpected error: '}${(error as Error).message}`);
    if (!known) return 1;
    if (
      (error as Error).name === 'UsageError' ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.err(`\n${USAGE}`);
    }
    return 2;
  }
}
