import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { HOLIDAY_TABLE_YEARS } from '../calendar/holidays.generated.ts';
import {
  type Actor,
  type AttachmentRecord,
  applyCaseEvent,
  type CaseEvent,
  type CaseState,
  CHANNELS,
  CONTACT_METHODS,
} from '../domain/case.ts';
import type { EmailOrigin } from '../domain/email.ts';
import { ConflictError, ValidationError } from '../domain/errors.ts';
import { casePosition } from '../domain/position.ts';
import type { IntakeRecord } from '../ports/case-repository.ts';
import { isCivilDate, isInstant, normaliseInstant, toLondon } from '../time/london.ts';
import '../zod-messages.ts';
import { lazy } from '../lazy.ts';
import { backoff, caseLookups, loadCase } from './case-log.ts';
import { type AppDependencies, caseLinkFor } from './dependencies.ts';

/** `missing` says what to enter: zod's own words ("expected string, received undefined") do not. */
const text = (max: number, missing = 'is required: enter some text') =>
  z
    .string({ error: (issue) => (issue.input === undefined ? missing : 'must be text') })
    .check(z.trim(), z.minLength(1, missing), z.maxLength(max));
const optionalText = (max: number) =>
  z.pipe(
    z.optional(z.string().check(z.trim(), z.maxLength(max))),
    z.transform((value) => (value ? value : undefined)),
  );
const civilDate = () => z.string().check(z.refine(isCivilDate, 'must be a real date in the form YYYY-MM-DD'));

export const IntakeInput = lazy(() =>
  z.strictObject({
    channel: z._default(z.enum(CHANNELS), 'web'),
    // Checked here, not where it is used: an unparseable time from staff is their input to correct (422).
    receivedAt: z.optional(
      z
        .string()
        .check(
          z.refine(isInstant, 'must be a date and time with an offset, for example 2026-03-02T09:30:00Z'),
        ),
    ),
    complainant: z.strictObject({
      name: text(200, "is required: enter the complainant's name"),
      email: z.optional(z.email('must be a valid email address').check(z.maxLength(254))),
      phone: z.optional(
        z
          .string()
          .check(z.trim(), z.regex(/^\+?[\d\s()-]{7,20}$/, 'must be a phone number of 7 to 20 digits')),
      ),
      address: optionalText(500),
      preferredContact: z.enum(CONTACT_METHODS),
      reasonableAdjustments: optionalText(2000),
      vulnerability: optionalText(2000),
      representative: z.optional(
        z.strictObject({
          name: text(200),
          relationship: text(200),
          consentRecorded: z.literal(true, { error: "the resident's consent must be recorded" }),
          email: z.optional(z.email()),
          phone: z.optional(z.string().check(z.trim(), z.maxLength(30))),
        }),
      ),
    }),
    complaint: z.strictObject({
      whatHappened: text(10_000, 'is required: say what went wrong'),
      happenedOn: z.optional(civilDate()),
      becameAwareOn: z.optional(civilDate()),
      outcomeWanted: text(
        5_000,
        'is required: say what the resident would like done to put things right (for example "Repair the boiler")',
      ),
    }),
  }),
);
export type IntakeInput = z.input<ReturnType<typeof IntakeInput>>;

/** Files already stored in the attachment store, recorded on the case with the complaint. */
export const IntakeAttachments = lazy(() =>
  z
    .array(
      z.strictObject({
        name: text(255),
        contentType: text(200),
        size: z.int().check(z.nonnegative()),
        key: text(1024),
        sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256')),
      }),
    )
    .check(z.maxLength(10)),
);

export interface IntakeResult {
  caseId: string;
  reference: string;
  created: boolean;
  acknowledgementDueDate: string;
  caseLink: string;
}

function requestHash(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

/** An intake that has held its key this long without a reference stopped part-way; a retry may take over. */
const CLAIM_LEASE_MS = 60_000;
/** How long (in pauses of up to 200 ms) a concurrent retry waits for the claim's holder to take a reference. */
const WAIT_ATTEMPTS = 20;

/**
 * The reference for a claimed intake key: the claim's holder takes one (the store keeps a number it takes on
 * the claim, so a holder that stops part-way loses none); anyone else waits for it, or takes the claim over
 * once its holder has been silent past the lease (or gave it back) and carries on with the same case id.
 */
async function referenceForClaim(
  deps: AppDependencies,
  key: string,
  claim: IntakeRecord,
  holding: boolean,
  year: number,
): Promise<string> {
  let record = claim;
  let heldSince = holding ? claim.claimedAt : undefined;
  for (let attempt = 1; ; attempt++) {
    if (heldSince) {
      const hold = { caseId: record.caseId, claimedAt: heldSince };
      try {
        const reference = await deps.repository.takeIntakeReference(key, hold, year);
        if (reference) return reference;
        heldSince = undefined; // taken over meanwhile: the new holder attaches the reference
      } catch (error) {
        // Throttled or failing: give the claim back (best effort; else the lease expires) so a retry takes it
        // over at once and reuses any number already bound to the case.
        await deps.repository.releaseIntakeClaim(key, hold).catch(() => undefined);
        throw error;
      }
    } else {
      const stalled =
        !record.claimedAt || Date.parse(record.claimedAt) + CLAIM_LEASE_MS < deps.clock.now().getTime();
      const now = deps.clock.now().toISOString();
      if (stalled && (await deps.repository.takeOverIntakeClaim(key, record.claimedAt, now))) {
        heldSince = now;
        continue;
      }
    }
    if (attempt > WAIT_ATTEMPTS) {
      throw new ConflictError(
        'This complaint is still being recorded by an earlier attempt with the same key; try again in a moment',
      );
    }
    await backoff(attempt);
    record = (await deps.repository.findIntake(key)) ?? record;
    if (record.reference) return record.reference;
  }
}

const KEY_TAKEN =
  'This idempotency key was already used for a different complaint; send a new key for a new complaint';

/** A complaint as checked before its key is claimed: its request hash and its first event, less the reference. */
interface CheckedIntake {
  hash: string;
  /** When it was checked: the intake's one reading of the clock. */
  now: Date;
  channel: (typeof CHANNELS)[number];
  year: number;
  withReference: (reference: string) => CaseEvent;
}

function checkIntake(
  deps: AppDependencies,
  rawInput: IntakeInput,
  by: Actor,
  rawAttachments?: readonly AttachmentRecord[],
  email?: EmailOrigin,
): CheckedIntake {
  const input = IntakeInput().parse(rawInput);
  const attachments = rawAttachments?.length ? IntakeAttachments().parse(rawAttachments) : undefined;
  if (by.kind === 'resident' && input.channel !== 'web' && input.channel !== 'email') {
    throw new ValidationError(
      'Residents complain through the web form or by email; staff log other channels',
    );
  }
  const now = deps.clock.now();
  // Staff logging a phone call or letter say when it was received, and email intake passes on when the
  // message arrived; a resident's complaint through the form is received now.
  const receivedAt =
    input.receivedAt && by.kind !== 'resident' ? normaliseInstant(input.receivedAt) : now.toISOString();
  if (Date.parse(receivedAt) > now.getTime()) {
    throw new ValidationError('receivedAt cannot be in the future');
  }
  const year = Number(toLondon(receivedAt).date.slice(0, 4));
  if (year < HOLIDAY_TABLE_YEARS.from) {
    throw new ValidationError(
      `receivedAt ${toLondon(receivedAt).date} is before ${HOLIDAY_TABLE_YEARS.from}, the first year this service counts working days for: enter the date the complaint was received`,
      { field: 'receivedAt' },
    );
  }
  return {
    // The files are part of the request: a retry with the same files is the same request. Without files the
    // hash is what it always was, so keys claimed before attachments existed still match.
    hash: requestHash(attachments ? { ...input, attachments } : input),
    now,
    channel: input.channel,
    year,
    withReference: (reference) => ({
      type: 'received',
      at: receivedAt,
      by,
      reference,
      channel: input.channel,
      complainant: input.complainant,
      complaint: attachments ? { ...input.complaint, attachments } : input.complaint,
      ...(email ? { email } : {}),
    }),
  };
}

/**
 * A refused complaint whose key already holds a different one: the key is taken (409), as it is for a
 * different valid body, so the client learns to use a new key rather than fix fields of a request that
 * could never succeed with this key. A free key (or the very request the key holds, refused now only if
 * the rules changed since) keeps the refusal itself.
 */
async function refuseTakenKey(
  deps: AppDependencies,
  idempotencyKey: string,
  refusal: unknown,
  hash?: string,
): Promise<never> {
  const claimed = await deps.repository.findIntake(idempotencyKey);
  if (claimed && claimed.requestHash !== hash) throw new ConflictError(KEY_TAKEN);
  throw refusal;
}

/**
 * Creates a complaint and starts its workflow. Idempotent on the client's key: a retry returns the same
 * case, and every step can be repeated safely, so a retry after a crash finishes what the first call began.
 */
export async function submitComplaint(
  deps: AppDependencies,
  rawInput: IntakeInput,
  idempotencyKey: string,
  by: Actor,
  rawAttachments?: readonly AttachmentRecord[],
  email?: EmailOrigin,
): Promise<IntakeResult> {
  let request: CheckedIntake;
  try {
    request = checkIntake(deps, rawInput, by, rawAttachments, email);
  } catch (error) {
    return refuseTakenKey(deps, idempotencyKey, error);
  }
  const { hash, now, withReference, year } = request;
  // Every check the case's first event makes (a contact detail for the preferred method...) runs before the
  // key is claimed and a reference taken: references are gap-free for auditors, and a refused complaint
  // must not use one up.
  try {
    applyCaseEvent(undefined, withReference('unassigned'), deps.context, 'unassigned');
  } catch (error) {
    return refuseTakenKey(deps, idempotencyKey, error, hash);
  }
  // The key is claimed before a reference is taken, and only the claim's holder takes one, so concurrent
  // retries of one complaint use up one number between them, and a retry reuses a number already taken.
  const proposed = { caseId: deps.newId(), requestHash: hash, claimedAt: now.toISOString() };
  const claimed =
    (await deps.repository.findIntake(idempotencyKey)) ??
    (await deps.repository.claimIntakeKey(idempotencyKey, proposed).catch(async (error: unknown) => {
      // The claim may have been written before the failure: give it back, so a retry need not wait the lease.
      await deps.repository.releaseIntakeClaim(idempotencyKey, proposed).catch(() => undefined);
      throw error;
    }));
  if (claimed.requestHash !== hash) {
    throw new ConflictError(KEY_TAKEN);
  }
  const { caseId } = claimed;
  const reference =
    claimed.reference ??
    (await referenceForClaim(deps, idempotencyKey, claimed, claimed.caseId === proposed.caseId, year));
  const event = withReference(reference);
  const received = applyCaseEvent(undefined, event, deps.context, caseId);
  let created = false;
  try {
    // Conditional on the case having no first event: no read of the log first, which only a retry needs.
    await deps.repository.appendEvent(caseId, 1, event);
    created = true;
    deps.telemetry?.count('ComplaintsReceived', { name: 'Channel', value: request.channel });
  } catch (error) {
    // A retry, or a concurrent retry with the same key, wrote it first: carry on with the stored case.
    if (!(error instanceof ConflictError)) throw error;
  }
  // The claim's reference is bound to this case already (takeIntakeReference), so it is not saved again.
  const state = await finishIntake(deps, caseId, { referenceBound: true, ...(created ? { received } : {}) });
  return {
    caseId,
    reference,
    created,
    acknowledgementDueDate: state.stage1.acknowledgement?.dueDate ?? '',
    caseLink: caseLinkFor(deps, caseId),
  };
}

/**
 * The rest of an intake once its `received` event is in the log: the projection, the reference lookup and the
 * execution named after the case. Each step can be repeated, so a case whose intake stopped after the event
 * (no client retried it) is finished by calling this again; the local runtime does so when it starts.
 * `received`: the case as the `received` event this intake just appended left it (the log is then not read);
 * `referenceBound`: the reference lookup is known to be written (the intake claim binds it).
 */
export async function finishIntake(
  deps: AppDependencies,
  caseId: string,
  known: { received?: CaseState; referenceBound?: boolean } = {},
): Promise<CaseState> {
  const state = known.received ?? (await loadCase(deps, caseId)).state;
  await deps.repository.saveProjection(state, caseLookups(deps, state));
  if (!known.referenceBound) await deps.repository.saveReference(state.reference, caseId);
  // Started with the case's position, so its first state routes straight to triage (which sends the receipt);
  // only a resumed execution, given just the case id, rebuilds the case from its log first.
  await deps.engine.startExecution(caseId, casePosition(state, deps.context, deps.clock.now()));
  return state;
}
