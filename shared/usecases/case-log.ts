import { applyCaseEvent, type CaseEvent, type CaseState, foldCase } from '../domain/case.ts';
import { ConflictError, NotFoundError } from '../domain/errors.ts';
import { contactHash, nameHashes } from '../domain/secrets.ts';
import type { CaseLookups } from '../ports/case-repository.ts';
import type { AppDependencies } from './dependencies.ts';

export interface LoadedCase {
  events: CaseEvent[];
  state: CaseState;
}

export async function loadCase(deps: AppDependencies, caseId: string): Promise<LoadedCase> {
  const events = await deps.repository.loadEvents(caseId);
  if (events.length === 0) throw new NotFoundError(`There is no case ${caseId}`);
  const state = foldCase(caseId, events, deps.context);
  return { events, state };
}

/** What the case can be found by: the resident's email, phone and name, as keyed hashes. */
export function caseLookups(deps: AppDependencies, state: CaseState): CaseLookups {
  const { email, phone, name } = state.complainant;
  return {
    contacts: [email, phone]
      .filter((c): c is string => Boolean(c))
      .map((c) => contactHash(deps.secrets.contactHashKey, c)),
    names: nameHashes(deps.secrets.contactHashKey, name),
  };
}

/** Enough attempts for a burst of staff and residents writing to one case at once (20 at a time in tests). */
const MAX_ATTEMPTS = 10;

/** A short random pause before trying again, growing with each attempt, so racing writers spread out. */
export function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Appends one event built from the current state. The event is validated by the domain reducer first, then
 * written with a condition on its sequence number; if another writer got there first, the state is reloaded
 * and the event rebuilt (and revalidated) against it. The event's time is taken on each attempt, after the
 * read, so it is never earlier than an event a concurrent writer has just appended (it is clamped to the last
 * event's time where another server's clock ran slightly ahead). Still losing after every attempt is a
 * ConflictError (409, "try again"), never the caller's invalid input.
 */
export async function recordEvent(
  deps: AppDependencies,
  caseId: string,
  build: (state: CaseState, at: string, events: readonly CaseEvent[]) => CaseEvent,
): Promise<LoadedCase> {
  for (let attempt = 1; ; attempt++) {
    const { events, state } = await loadCase(deps, caseId);
    const now = nowIso(deps);
    // biome-ignore lint/complexity/useMathMinMax: ISO instants are strings, which Math.max cannot compare
    const event = build(state, now < state.updatedAt ? state.updatedAt : now, events);
    const next = applyCaseEvent(state, event, deps.context);
    try {
      await deps.repository.appendEvent(caseId, next.seq, event);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      await backoff(attempt);
      continue;
    }
    await deps.repository.saveProjection(next, caseLookups(deps, next));
    return { events: [...events, event], state: next };
  }
}

export function nowIso(deps: AppDependencies): string {
  return deps.clock.now().toISOString();
}
