import { type CaseState, foldCase, pendingStep, STAFF_ROLES, type StaffRole } from '../domain/case.ts';
import { lettersOwed, RESIDENT_TEMPLATES, type StaffAlert } from '../domain/correspondence.ts';
import { complaintsInbox, messageKey, replyAddressFor } from '../domain/email.ts';
import { assigneeOf } from '../domain/work-queue.ts';
import {
  renderPostalLetter,
  renderResidentMessage,
  renderStaffAlert,
  renderTaskDigest,
} from '../notifications/templates.ts';
import { profileFingerprint } from '../policy/profile.ts';
import { toLondon } from '../time/london.ts';
import { recordEvent } from './case-log.ts';
import { type AppDependencies, caseLinkFor } from './dependencies.ts';

/** SES answers these for an address or message it will never accept: fall back to post rather than retry. */
const PERMANENT_EMAIL_FAILURES = new Set([
  'MessageRejected',
  'BadRequestException',
  'AccountSuspendedException',
]);

/**
 * How long a claim on a letter holds at most (`CaseRepository.claimLetter`): longer than its claimant can live,
 * so a claim is only ever taken over from a run that stopped. A workflow step's functions time out at 30
 * seconds. A run over many cases (send-digest: a deploy's pass, the daily run) holds its claim until its own
 * invocation's end (`AppDependencies.invocation`) and a margin, so that Lambda's retry of a stopped pass (a
 * minute or more later) or the apply pass takes the letter over and sends it; this bound, Lambda's longest
 * invocation and the margin, where no invocation is given (locally). The ASL's LetterHeldError retrier outlasts it.
 */
export const LETTER_CLAIM_MARGIN_MS = 10_000;
export const LETTER_CLAIM_MS = { step: 60_000, run: 15 * 60_000 + LETTER_CLAIM_MARGIN_MS } as const;

/** How long this sender's claim holds from now. */
function claimMs(deps: AppDependencies, by: LetterSender): number {
  const left = by === 'run' ? deps.invocation?.remainingMs() : undefined;
  return left === undefined
    ? LETTER_CLAIM_MS[by]
    : Math.min(Math.max(left, 0) + LETTER_CLAIM_MARGIN_MS, LETTER_CLAIM_MS.run);
}

/** Which kind of run sends the letters: a case's own workflow step, or a run over many cases. */
export type LetterSender = keyof typeof LETTER_CLAIM_MS;

/**
 * Sends every resident letter the case's events call for and records each one on the case, one at a time, each
 * sent before it is recorded. Running it again (a retry, a restart) sends nothing already recorded; a stop
 * between a send and its record sends that one letter again, with the same `X-Correspondence-Key`. Each letter is
 * claimed first, so two runs that both find it owed (a deploy's pass run twice at once, a daily run beside it, a
 * workflow step beside either) send it once: the one that finds it claimed leaves it (`held`).
 */
export async function sendOwedLetters(
  deps: AppDependencies,
  caseId: string,
  by: LetterSender = 'run',
): Promise<number> {
  return (await deliverOwedLetters(deps, caseId, undefined, by)).sent;
}

/**
 * sendOwedLetters, also returning the case as the last letter's record left it (undefined when none was sent),
 * so a workflow step carries on from it rather than reading the projection again. `projection`: the case's
 * stored projection, if the caller has it; when the log read here ends at its event, the first letter's record
 * builds on it (so that record writes only what it changes), not on a fold of the log. `held`: letters owed that
 * another run has claimed and is sending (or stopped sending: its claim is taken over once it expires).
 */
export async function deliverOwedLetters(
  deps: AppDependencies,
  caseId: string,
  projection?: CaseState,
  by: LetterSender = 'step',
): Promise<{ sent: number; held: number; state?: CaseState }> {
  const events = await deps.repository.loadEvents(caseId);
  const owed = lettersOwed(events);
  // Each letter's record builds on the state just written, so the log is read once for all of them.
  const upToDate = projection?.seq === events.length ? projection : undefined;
  let current = owed.length > 0 ? (upToDate ?? foldCase(caseId, events, deps.context)) : undefined;
  // The date a letter gives is the log folded under this profile: a profile change compares with it.
  const fingerprint = profileFingerprint(deps.context.profile);
  let sent = 0;
  let held = 0;
  for (const letter of owed) {
    const claimedAt = deps.clock.now();
    const request = {
      at: claimedAt.toISOString(),
      until: new Date(claimedAt.getTime() + claimMs(deps, by)).toISOString(),
      by,
    };
    const claim = await deps.repository.claimLetter(caseId, letter.key, request);
    if (claim === 'held') {
      held++;
      continue;
    }
    // The run whose claim this was may have recorded the letter after this run read the log.
    if (
      claim === 'taken-over' &&
      !lettersOwed(await deps.repository.loadEvents(caseId)).some((still) => still.key === letter.key)
    ) {
      continue;
    }
    const stateThen = foldCase(caseId, events.slice(0, letter.seq), deps.context);
    const input = {
      template: letter.template,
      state: stateThen,
      event: letter.event,
      profile: deps.context.profile,
      caseLink: caseLinkFor(deps, caseId),
    };
    const outcome = await deliver(deps, stateThen, input, letter.key).catch(async (error: unknown) => {
      // Not sent (a throttled or failed send): the letter stays owed, free for the retry to send at once.
      await deps.repository.releaseLetter(caseId, letter.key, request);
      throw error;
    });
    const base = {
      by: { kind: 'system', id: 'notifications' },
      template: letter.template,
      key: letter.key,
    } as const;
    if ('channel' in outcome)
      deps.telemetry?.count('LettersSent', { name: 'Channel', value: outcome.channel });
    ({ state: current } = await recordEvent(
      deps,
      caseId,
      (_current, at) =>
        'reason' in outcome
          ? { type: 'correspondence-failed', at, ...base, ...outcome }
          : { type: 'correspondence-sent', at, ...base, ...outcome, profileFingerprint: fingerprint },
      current,
    ));
    sent++;
  }
  return { sent, held, ...(current && sent > 0 ? { state: current } : {}) };
}

async function deliver(
  deps: AppDependencies,
  state: CaseState,
  input: Parameters<typeof renderResidentMessage>[0],
  key: string,
): Promise<{ channel: 'email' | 'post'; recipient: string; messageId?: string } | { reason: string }> {
  const { complainant } = state;
  const { letters } = deps.context.profile;
  const byEmail = complainant.preferredContact === 'email' || !complainant.address;
  if (byEmail && complainant.email) {
    const message = renderResidentMessage(input);
    try {
      const cc = complainant.representative?.email ? [complainant.representative.email] : undefined;
      const { messageId } = await deps.mailer.send({
        from: `${letters.senderName} <${letters.senderEmail}>`,
        to: [complainant.email],
        cc,
        // The case's own reply address: a reply threads onto this case whatever its subject says.
        replyTo: [
          replyAddressFor(
            complaintsInbox(deps.context.profile),
            deps.secrets.linkSigningKey,
            state.reference,
          ),
        ],
        ...message,
        headers: { 'X-Complaint-Reference': state.reference, 'X-Correspondence-Key': key },
      });
      // Replies that keep In-Reply-To but lose the reply address (forwarded, retyped) still find the case.
      if (messageId) await deps.repository.rememberLetterMessageId(messageId, state.caseId);
      return { channel: 'email', recipient: complainant.email, messageId };
    } catch (error) {
      if (!PERMANENT_EMAIL_FAILURES.has((error as { name?: string }).name ?? '')) throw error;
      // The address will never accept it: the resident still gets the letter, by post.
    }
  }
  if (!complainant.address) {
    return {
      reason: 'No email or postal address on file: contact the resident by phone and record it as a note',
    };
  }
  const sentOn = toLondon(deps.clock.now()).date;
  const { location } = await deps.letters.put(
    `${state.caseId}/${key.replace('#', '-')}.txt`,
    renderPostalLetter(input, sentOn),
  );
  return { channel: 'post', recipient: complainant.address, messageId: location };
}

/**
 * The deterministic key of one staff alert to one role: a retried send (the Lambda or the state machine trying
 * the task again after the alert left) finds it recorded and skips it. `about` names what the alert is about
 * (the step, or an outstanding action's id); a still-overdue alert repeats at each check, so it is keyed by day.
 */
export function staffAlertKey(
  alert: StaffAlert,
  caseId: string,
  about: string,
  role: StaffRole,
  dueAt: string | undefined,
  today: string,
): string {
  return [
    alert,
    caseId,
    about,
    dueAt ?? 'no-deadline',
    role,
    ...(alert === 'still-overdue' ? [today] : []),
  ].join('#');
}

export async function alertStaff(
  deps: AppDependencies,
  state: CaseState,
  alert: StaffAlert,
  step: string,
  roles: readonly StaffRole[],
  dueAt?: string,
  about: string = step,
): Promise<void> {
  const { profile } = deps.context;
  const today = toLondon(deps.clock.now()).date;
  for (const role of roles) {
    const key = staffAlertKey(alert, state.caseId, about, role, dueAt, today);
    if (await deps.repository.findSentMessage(key)) continue;
    const message = renderStaffAlert({
      alert,
      state,
      step,
      dueAt,
      role,
      profile,
      consoleLink: `${deps.urls.staff}/case/${state.caseId}`,
    });
    const { messageId } = await deps.mailer.send({
      from: `${profile.letters.senderName} <${profile.letters.senderEmail}>`,
      to: [deps.staffAddresses[role]],
      ...message,
      headers: { 'X-Complaint-Reference': state.reference, 'X-Alert': alert, 'X-Alert-Key': key },
    });
    // Sent, then recorded: the one window (the process stopping between the two) repeats the alert, under the
    // same X-Alert-Key.
    await deps.repository.recordSentMessage({ key, messageId, at: deps.clock.now().toISOString() });
  }
}

/**
 * Tells whoever is handling the case (the last to act on its current stage, else the team mailbox for the
 * stage) that an email arrived for it. Keyed on the message, so a retried intake alerts once.
 */
export async function alertAssignee(
  deps: AppDependencies,
  state: CaseState,
  messageId: string,
  note: string,
): Promise<void> {
  const alert = 'email-received';
  const key = [alert, state.caseId, messageKey(messageId)].join('#');
  if (await deps.repository.findSentMessage(key)) return;
  const { profile } = deps.context;
  const role: StaffRole = state.stage === 2 ? 'reviewer' : 'handler';
  const assignee = assigneeOf(state);
  const to = (assignee && state.staff?.[assignee]) || deps.staffAddresses[role];
  const position = pendingStep(state, deps.context);
  const message = renderStaffAlert({
    alert,
    state,
    step: position?.step ?? 'closed',
    dueAt: position?.deadline?.dueAt,
    role,
    profile,
    consoleLink: `${deps.urls.staff}/case/${state.caseId}`,
    note,
  });
  const sent = await deps.mailer.send({
    from: `${profile.letters.senderName} <${profile.letters.senderEmail}>`,
    to: [to],
    ...message,
    headers: { 'X-Complaint-Reference': state.reference, 'X-Alert': alert, 'X-Alert-Key': key },
  });
  await deps.repository.recordSentMessage({
    key,
    messageId: sent.messageId,
    at: deps.clock.now().toISOString(),
  });
}

/**
 * The working morning's digest: for each role that takes new tasks as a digest, one email listing every open
 * task not yet announced, then each is marked announced so no digest lists it twice. Each role's digest is
 * keyed by its day (`digest#<role>#<date>`) and recorded with the tasks it listed: a retried run (the scheduler
 * retries a failed one) marks those tasks rather than sending the digest again. Only a stop between the send
 * and its record sends it twice.
 */
export async function sendTaskDigests(deps: AppDependencies): Promise<Record<string, number>> {
  const { profile, clocks } = deps.context;
  const today = toLondon(deps.clock.now()).date;
  const sent: Record<string, number> = {};
  if (!clocks.calendar.isWorkingDay(today)) return sent;
  for (const role of STAFF_ROLES.filter((r) => profile.notifications.newTasks[r] === 'digest')) {
    const key = `digest#${role}#${today}`;
    const earlier = await deps.repository.findSentMessage(key);
    if (earlier) {
      for (const taskId of earlier.taskIds ?? []) await deps.repository.markTaskAnnounced(taskId, earlier.at);
      continue;
    }
    const tasks = (await deps.repository.queue(role, 10_000)).filter(
      (task) => task.status === 'open' && !task.announcedAt,
    );
    if (tasks.length === 0) continue;
    const message = renderTaskDigest({
      role,
      date: today,
      profile,
      tasks: tasks.map((task) => ({
        reference: task.reference,
        step: task.step,
        dueAt: task.dueAt,
        consoleLink: `${deps.urls.staff}/case/${task.caseId}`,
      })),
    });
    const { messageId } = await deps.mailer.send({
      from: `${profile.letters.senderName} <${profile.letters.senderEmail}>`,
      to: [deps.staffAddresses[role]],
      ...message,
      headers: { 'X-Alert': 'digest', 'X-Alert-Key': key },
    });
    const at = deps.clock.now().toISOString();
    const taskIds = tasks.map((task) => task.taskId);
    await deps.repository.recordSentMessage({ key, messageId, at, taskIds });
    for (const taskId of taskIds) await deps.repository.markTaskAnnounced(taskId, at);
    sent[role] = tasks.length;
  }
  return sent;
}

/**
 * SES reported a bounce or a complaint for a letter: the case records it, and the letter goes by post
 * where there is an address (the resident must still get it).
 */
export async function handleDeliveryFailure(
  deps: AppDependencies,
  input: { reference: string; key: string; reason: string; failedRecipients?: readonly string[] },
): Promise<'posted' | 'recorded' | 'unknown-case'> {
  const caseId = await deps.repository.findCaseIdByReference(input.reference);
  if (!caseId) return 'unknown-case';
  const events = await deps.repository.loadEvents(caseId);
  const seq = Number(input.key.split('#')[1]);
  const event = events[seq - 1];
  const template = input.key.split('#')[0] ?? '';
  const by = { kind: 'system', id: 'notifications' } as const;
  const failureKey = `${input.key}#failed`;
  const postKey = `${input.key}#post`;
  // Posting is what must happen once: a retry after a failed post tries again.
  if (events.some((e) => e.type === 'correspondence-sent' && e.key === postKey)) return 'posted';
  const alreadyRecorded = events.some((e) => e.type === 'correspondence-failed' && e.key === failureKey);
  if (!alreadyRecorded)
    await recordEvent(deps, caseId, (_current, at) => ({
      type: 'correspondence-failed',
      at,
      by,
      template,
      key: failureKey,
      reason: input.reason,
    }));
  const state = foldCase(caseId, events.slice(0, seq), deps.context);
  // A representative's copy bouncing does not stop the resident's own email arriving: nothing to post.
  const residentEmail = state.complainant.email?.toLowerCase();
  const failed = input.failedRecipients?.map((recipient) => recipient.toLowerCase());
  if (failed?.length && (!residentEmail || !failed.includes(residentEmail))) return 'recorded';
  const letterTemplate = RESIDENT_TEMPLATES.find((candidate) => candidate === template);
  if (!event || !letterTemplate || !state.complainant.address) return 'recorded';
  const letterInput = {
    template: letterTemplate,
    state,
    event,
    profile: deps.context.profile,
    caseLink: caseLinkFor(deps, caseId),
  };
  const { location } = await deps.letters.put(
    `${caseId}/${input.key.replace('#', '-')}-post.txt`,
    renderPostalLetter(letterInput, toLondon(deps.clock.now()).date),
  );
  await recordEvent(deps, caseId, (_current, at) => ({
    type: 'correspondence-sent',
    at,
    by,
    template,
    key: postKey,
    channel: 'post',
    recipient: state.complainant.address ?? '',
    messageId: location,
    profileFingerprint: profileFingerprint(deps.context.profile),
  }));
  return 'posted';
}
