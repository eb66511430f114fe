import type { Actor, CaseState } from '../domain/case.ts';
import { recordCaseAction } from './actions.ts';
import type { AppDependencies } from './dependencies.ts';
import { rectify } from './rectification.ts';

/** What staff record on a case through the API: a correction of the resident's details, or a case action. */
export function recordStaffEvent(
  deps: AppDependencies,
  caseId: string,
  actor: Extract<Actor, { kind: 'staff' }>,
  raw: unknown,
): Promise<CaseState> {
  const isCorrection = (raw as { action?: unknown } | null)?.action === 'rectify';
  return isCorrection ? rectify(deps, caseId, actor, raw) : recordCaseAction(deps, caseId, actor, raw);
}
