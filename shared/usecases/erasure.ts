import * as z from 'zod/mini';
import {
  type Actor,
  type CaseState,
  type ErasureBlock,
  erasureBlock,
  erasureBlockWords,
} from '../domain/case.ts';
import { DomainError } from '../domain/errors.ts';
import { lazy } from '../lazy.ts';
import { formatCivilDate } from '../notifications/words.ts';
import { type CivilDate, isCivilDate, toLondon } from '../time/london.ts';
import '../zod-messages.ts';
import { requireManager } from './annual-report.ts';
import { loadCase, recordEvent } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';
import { staffReason } from './reason.ts';
import { anonymiseCase } from './retention.ts';

/**
 * A request to erase a resident's data (UK GDPR art. 17), decided by a manager or admin. Granted, the case is
 * anonymised exactly as retention does it (`anonymiseCase`); a legal hold or an open case refuses it, and the
 * refusal is recorded with the reason, so the log answers "what did you do with my request" either way.
 */

export const ERASURE_DECISIONS = ['granted', 'refused'] as const;

export const ErasureRequest = lazy(() =>
  z.strictObject({
    requestedOn: z
      .string({ error: 'must be the date the request was made, YYYY-MM-DD' })
      .check(z.refine(isCivilDate, 'must be the date the request was made, YYYY-MM-DD')),
    decision: z.enum(ERASURE_DECISIONS, {
      error: () => `decision must be one of ${ERASURE_DECISIONS.join(', ')}`,
    }),
    reason: staffReason('the reason for the erasure decision', 'why it is granted or refused'),
  }),
);
export type ErasureRequest = z.infer<ReturnType<typeof ErasureRequest>>;

/**
 * The request's date as this case allows it: not after today (London, by the Clock port) and not before the
 * case was received (a request about a case is made once the case exists). Refused as a field of the request
 * (a 422 naming `requestedOn`, the form's date field), saying what to enter instead.
 */
function checkRequestedOn(requestedOn: CivilDate, received: CivilDate, today: CivilDate): void {
  const asked = formatCivilDate(requestedOn);
  z.object({
    requestedOn: z.string().check(
      z.refine(
        (date) => date <= today,
        `${asked} is after today: enter the date the resident made the request, today (${formatCivilDate(today)}) or earlier`,
      ),
      z.refine(
        (date) => date >= received,
        `${asked} is before the case was received on ${formatCivilDate(received)}: enter the date the resident made the request, ${formatCivilDate(received)} or later`,
      ),
    ),
  }).parse({ requestedOn });
}

/** A refusal the case's own state forces: which block, and the words staff are shown. */
interface Refusal {
  block: ErasureBlock;
  words: string;
}

function refusalOf(state: CaseState): Refusal | undefined {
  const block = erasureBlock(state);
  return block && { block, words: erasureBlockWords(state, block) };
}

/**
 * Records the request and its decision. Granted: `erasure-decided` first, then `anonymised`, each conditional
 * on the case's next sequence number, so a legal hold set at the same moment either lands first (and the
 * erasure is refused) or is refused itself. A granted request the case refuses (held, open) is recorded as
 * refused with `blockedBy` and thrown as LEGAL_HOLD or CASE_OPEN (409) with the reason.
 */
export async function decideErasure(
  deps: AppDependencies,
  caseId: string,
  actor: Extract<Actor, { kind: 'staff' }>,
  raw: unknown,
): Promise<CaseState> {
  const request = ErasureRequest().parse(raw);
  requireManager(actor, 'Erasure decisions');
  const { state } = await loadCase(deps, caseId);
  if (state.anonymised) {
    // An erasure that stopped part-way (files or events not yet scrubbed) is finished, then the caller is told.
    await anonymiseCase(deps, caseId, state.anonymised.trigger, actor);
    throw new DomainError(
      'ANONYMISED',
      `Case ${state.reference} was already anonymised (${state.anonymised.trigger}): there is nothing left to erase`,
    );
  }
  checkRequestedOn(request.requestedOn, toLondon(state.receivedAt).date, toLondon(deps.clock.now()).date);
  const decided = (at: string, decision: ErasureRequest['decision']) =>
    ({
      type: 'erasure-decided',
      at,
      by: actor,
      requestedOn: request.requestedOn,
      decision,
      reason: request.reason,
    }) as const;
  if (request.decision === 'refused') {
    return (await recordEvent(deps, caseId, (_current, at) => decided(at, 'refused'))).state;
  }
  let refusal = refusalOf(state);
  if (!refusal) {
    try {
      await recordEvent(deps, caseId, (_current, at) => decided(at, 'granted'));
      return await anonymiseCase(deps, caseId, 'erasure', actor);
    } catch (error) {
      // A hold (or a reopening) that landed first: the case rules refused the grant or the anonymisation.
      const block =
        error instanceof DomainError ? (error.details.block as ErasureBlock | undefined) : undefined;
      if (!block) throw error;
      refusal = { block, words: error instanceof Error ? error.message : String(error) };
    }
  }
  let recorded: Refusal = refusal;
  await recordEvent(deps, caseId, (current, at) => {
    // Worded from the case as the refusal is recorded (a hold released meanwhile keeps the first words).
    recorded = refusalOf(current) ?? recorded;
    return {
      ...decided(at, 'refused'),
      reason: `Granted (${request.reason}) but refused: ${recorded.words}`,
      blockedBy: recorded.block,
    };
  });
  throw new DomainError(
    recorded.block === 'legal-hold' ? 'LEGAL_HOLD' : 'CASE_OPEN',
    `Erasure refused (recorded on the case): ${recorded.words}`,
    { block: recorded.block, recorded: true },
  );
}
