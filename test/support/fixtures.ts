import { type CaseContext, type CaseEvent, caseContext } from '#shared/domain/case.ts';
import { defaultEscalationRoute, type StageResponse } from '#shared/domain/letters.ts';
import { loadProfile } from '#shared/policy/load-profile.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';

export function baselineProfile(overrides: Partial<ProviderProfile> = {}): ProviderProfile {
  return { ...loadProfile('code-baseline'), ...overrides };
}

export function baselineContext(): CaseContext {
  return caseContext(baselineProfile());
}

export const handler = { kind: 'staff', id: 'handler-1', role: 'handler' } as const;
export const reviewer = { kind: 'staff', id: 'reviewer-1', role: 'reviewer' } as const;
export const resident = { kind: 'resident', id: 'resident' } as const;

export function received(at: string): CaseEvent {
  return {
    type: 'received',
    at,
    by: resident,
    reference: 'CMP-2026-000001',
    channel: 'web',
    complainant: { name: 'Ada Resident', email: 'ada@example.com', preferredContact: 'email' },
    complaint: { whatHappened: 'The boiler has been broken for three weeks.', outcomeWanted: 'Fix it' },
  };
}

export function stageResponse(
  profile: ProviderProfile,
  stage: 1 | 2,
  extra: Partial<StageResponse> = {},
): StageResponse {
  return {
    stage,
    complaintDefinition: 'Delay repairing the boiler',
    decision: 'upheld',
    reasons: 'The repair was not booked within our target time.',
    remedy: { description: 'An apology and £50 for the delay', compensationPounds: 50 },
    outstandingActions: 'none',
    escalationRoute: defaultEscalationRoute(profile, stage),
    ...extra,
  };
}
