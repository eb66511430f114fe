import type { WorkingCalendar } from '#shared/calendar/working-calendar.ts';
import type { CaseEvent, CaseState } from '#shared/domain/case.ts';
import type { CasePosition } from '#shared/domain/position.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';

/** What the read-only sections of the staff case page (and the evidence pack) are drawn from. */

export interface CaseView {
  state: CaseState;
  events: readonly CaseEvent[];
  position: CasePosition;
  profile: ProviderProfile;
  now: Date;
  calendar: WorkingCalendar;
}
