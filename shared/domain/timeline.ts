import type { Deadline } from '../calendar/deadline.ts';
import type { ProviderProfile } from '../policy/profile.ts';
import { type Instant, normaliseInstant } from '../time/london.ts';
import { durationWords, lifecycleClocks } from './clocks.ts';

export interface TimelineInput {
  receivedAt: Instant;
  acknowledgedAt?: Instant;
  stage1ExtensionWorkingDays?: number;
  stage1RespondedAt?: Instant;
  escalationRequestedAt?: Instant;
  stage2AcknowledgedAt?: Instant;
  stage2ExtensionWorkingDays?: number;
}

export interface TimelineEntry extends Deadline {
  step: string;
  rule: string;
  reminderAt?: Instant;
  explanation: string;
}

function explain(step: string, due: Deadline, rule: string): string {
  const skipped = due.skipped.length
    ? ` Not counted: ${due.skipped.map((day) => `${day.date} (${day.reason})`).join('; ')}.`
    : '';
  return `${step}: ${due.workingDays} working days from ${due.from} (day 0 is ${due.startDate}), so due by the end of ${due.dueDate}. ${rule}.${skipped}`;
}

/**
 * Every due date of a complaint's lifecycle under a provider's policy, for the events that have happened so
 * far. Each later clock needs the event that starts it; absent events end the timeline.
 */
export function timeline(profile: ProviderProfile, input: TimelineInput): TimelineEntry[] {
  const clocks = lifecycleClocks(profile);
  const stage1 = clocks.stagePolicy(1);
  const entries: TimelineEntry[] = [];
  const add = (step: string, due: Deadline, rule: string, reminder = true) =>
    entries.push({
      step,
      rule,
      ...due,
      reminderAt: reminder ? clocks.reminder(due) : undefined,
      explanation: explain(step, due, rule),
    });
  /** A stage's response deadline, and the extended one where an extension was granted. */
  const addResponse = (stage: 1 | 2, due: Deadline, extensionWorkingDays?: number) => {
    const policy = clocks.stagePolicy(stage);
    const [respond, extend] = stage === 1 ? ['6.3', '6.4'] : ['6.14', '6.15'];
    const name = stage === 1 ? 'Stage 1 response' : 'Stage 2 (final) response';
    add(
      name,
      due,
      `${policy.respondWorkingDays} working days from ${policy.responseClockStartsAt} (Code ${respond})`,
    );
    if (!extensionWorkingDays) return;
    add(
      `Stage ${stage} response (extended)`,
      clocks.extend(due, extensionWorkingDays),
      `extended by ${extensionWorkingDays} working days (cap ${policy.extension.maxWorkingDays}, Code ${extend})`,
    );
  };
  const receivedAt = normaliseInstant(input.receivedAt);
  const cutoff = profile.calendar.receiptCutoff ? `, cut-off ${profile.calendar.receiptCutoff}` : '';
  add(
    'Stage 1 acknowledgement',
    clocks.stage1Acknowledgement(receivedAt),
    `${stage1.acknowledgeWorkingDays} working days from receipt (Code 6.2${cutoff})`,
  );
  if (!input.acknowledgedAt) return entries;
  addResponse(
    1,
    clocks.stage1Response({ receivedAt, acknowledgedAt: normaliseInstant(input.acknowledgedAt) }),
    input.stage1ExtensionWorkingDays,
  );
  if (!input.stage1RespondedAt) return entries;
  const window = clocks.escalationWindowEnd(normaliseInstant(input.stage1RespondedAt));
  if (window) {
    add(
      'Window to ask for stage 2 ends',
      window,
      `${profile.escalationWindow ? durationWords(profile.escalationWindow) : ''} from the stage 1 response (provider policy)${
        profile.escalationWindow?.orAfterEvent
          ? `; or ${durationWords(profile.escalationWindow.orAfterEvent)} from the events complained about, if later (the events' date is not given here)`
          : ''
      }`,
      false,
    );
  }
  if (!input.escalationRequestedAt) return entries;
  const stage2 = clocks.stagePolicy(2);
  const escalationRequestedAt = normaliseInstant(input.escalationRequestedAt);
  add(
    'Stage 2 acknowledgement',
    clocks.stage2Acknowledgement(escalationRequestedAt),
    `${stage2.acknowledgeWorkingDays} working days from the escalation request (Code 6.11)`,
  );
  if (!input.stage2AcknowledgedAt) return entries;
  addResponse(
    2,
    clocks.stage2Response({
      escalationRequestedAt,
      acknowledgedAt: normaliseInstant(input.stage2AcknowledgedAt),
    }),
    input.stage2ExtensionWorkingDays,
  );
  return entries;
}
