import { applyCaseEvent, type CaseEvent, type CaseState, foldCase } from '../domain/case.ts';
import { ConflictError, NotFoundError } from '../domain/errors.ts';
import { contactHash } from '../domain/secrets.ts';
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

export function contactHashes(deps: AppDependencies, state: CaseState): string[] {
  const { email, phone } = state.complainant;
  return [email, phone]
    .filter((c): c is string => Boolean(c))
    .map((c) => contactHash(deps.secrets.contactHashKey, c));
}

const MAX_ATTEMPTS = 3;

/**
 * Appends one event built from the current state. The event is validated by the domain reducer first, then
 * written with a condition on its sequence number; if another writer got there first, the state is reloaded
 * and the event rebuilt (and revalidated) against it.
 */
export async function recordEvent(
  deps: AppDependencies,
  caseId: string,
  build: (state: CaseState, events: readonly CaseEvent[]) => CaseEvent,
): Promise<LoadedCase> {
  for (let attempt = 1; ; attempt++) {
    const { events, state } = await loadCase(deps, caseId);
    const event = build(state, events);
    const next = applyCaseEvent(state, event, deps.context);
    try {
      await deps.repository.appendEvent(caseId, next.seq, event);
    } catch (error) {
      if (error instanceof ConflictError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
    await deps.repository.saveProjection(next, contactHashes(deps, next));
    return { events: [...events, event], state: next };
  }
}

export function nowIso(deps: AppDependencies): string {
  return deps.clock.now().toISOString();
}
