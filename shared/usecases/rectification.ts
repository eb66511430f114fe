import * as z from 'zod/mini';
import { type Actor, type CaseState, RECTIFIABLE_FIELDS } from '../domain/case.ts';
import { lazy } from '../lazy.ts';
import '../zod-messages.ts';
import { caseLookups, recordEvent } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';
import { staffReason } from './reason.ts';

/**
 * A correction of the resident's details (UK GDPR art. 16): a `rectified` event is appended, the original stays
 * in the log. Apart from the case page's actions (shared/usecases/actions.ts) so that the case page's function,
 * which does not offer it, does not carry it (issue 12: each function within 300 KB).
 */

export const Rectification = lazy(() =>
  z.strictObject({
    action: z.literal('rectify'),
    field: z.enum(RECTIFIABLE_FIELDS, {
      error: () => `field must be one of ${RECTIFIABLE_FIELDS.join(', ')}`,
    }),
    // Empty removes an optional detail (the case rules refuse it for the name and a needed contact detail).
    value: z
      .string({
        error: 'Give "value": the correct value (an empty string removes a detail that should not be held)',
      })
      .check(z.trim(), z.maxLength(2000, 'The correct value must be 2,000 characters or fewer')),
    reason: staffReason('the reason for the correction', 'such as the letter in which the resident told us'),
  }),
);
export type Rectification = z.infer<ReturnType<typeof Rectification>>;

export async function rectify(
  deps: AppDependencies,
  caseId: string,
  actor: Extract<Actor, { kind: 'staff' }>,
  raw: unknown,
): Promise<CaseState> {
  const { field, value, reason } = Rectification().parse(raw);
  const { state } = await recordEvent(deps, caseId, (_current, at) => ({
    type: 'rectified',
    at,
    by: actor,
    field,
    value,
    reason,
  }));
  // A corrected name or contact detail finds the case too; the old one still does (the log keeps both).
  await deps.repository.addLookups(state, caseLookups(deps, state));
  return state;
}
