import * as z from 'zod/mini';
import '../zod-messages.ts';
import type { Actor, CaseState } from '../domain/case.ts';
import { lazy } from '../lazy.ts';
import { CaseAction, recordCaseAction } from './actions.ts';
import type { AppDependencies } from './dependencies.ts';
import { Rectification, rectify } from './rectification.ts';

/**
 * Every action the route takes, so a missing or misspelt `action` is answered with the whole list, a correction
 * included (each use case parses its own fields again).
 */
const StaffEvent = lazy(() => z.discriminatedUnion('action', [...CaseAction().def.options, Rectification()]));

/** What staff record on a case through the API: a correction of the resident's details, or a case action. */
export function recordStaffEvent(
  deps: AppDependencies,
  caseId: string,
  actor: Extract<Actor, { kind: 'staff' }>,
  raw: unknown,
): Promise<CaseState> {
  const { action } = StaffEvent().parse(raw);
  return action === 'rectify'
    ? rectify(deps, caseId, actor, raw)
    : recordCaseAction(deps, caseId, actor, raw);
}
