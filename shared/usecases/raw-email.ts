import type { Actor, CaseState } from '../domain/case.ts';
import { NotFoundError } from '../domain/errors.ts';
import { loadCase, recordEvent } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';

/** Every raw email of a case, in the order received: the one that opened it, then the replies. */
export function rawEmailsOf(state: CaseState): Array<{ messageId: string; rawKey: string }> {
  return [...(state.email ? [state.email] : []), ...(state.emails ?? [])].map(({ messageId, rawKey }) => ({
    messageId,
    rawKey,
  }));
}

/**
 * One raw email of a case (by its place in {@link rawEmailsOf}) for a member of staff. The access is
 * recorded on the case before the bytes are returned: it holds the sender's personal data in full.
 */
export async function downloadRawEmail(
  deps: AppDependencies,
  caseId: string,
  index: number,
  by: Extract<Actor, { kind: 'staff' }>,
): Promise<{ bytes: Uint8Array; fileName: string }> {
  const { state } = await loadCase(deps, caseId);
  const email = rawEmailsOf(state)[index];
  if (!email) throw new NotFoundError('There is no such email on this case');
  const stored = await deps.inboundEmail?.get(email.rawKey);
  if (!stored) throw new NotFoundError('The email is no longer in the inbound store (it is kept for a year)');
  await recordEvent(
    deps,
    caseId,
    (_state, at) => ({ type: 'raw-email-downloaded', at, by, messageId: email.messageId }),
    state,
    { projectionMayLag: true },
  );
  return { bytes: stored.bytes, fileName: `${state.reference}-email-${index + 1}.eml` };
}
