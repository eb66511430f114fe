import type { Jurisdiction } from './profile.ts';

/*
 * The parts of each jurisdiction's baseline that letters and reporting read at run time, apart from the rest of
 * the baseline (lint.ts), which only the profile linter reads: each page function carries these and not the
 * linter's data (issue 12: every function within 300 KB).
 */

export interface ReferralTimeLimitRule {
  pattern: RegExp;
  limit: string;
  provision: string;
  /** How a letter states it when the profile's own wording is wrong. */
  wording: string;
}

/** The most working days a stage's response may be extended by, by stage, where the baseline sets a cap. */
export const EXTENSION_CAPS: Partial<
  Record<Jurisdiction, ReadonlyArray<{ max: number; provision: string }>>
> & {
  england: ReadonlyArray<{ max: number; provision: string }>;
} = {
  england: [
    { max: 10, provision: 'Code 6.4 (stage 1 extension no more than 10 working days)' },
    { max: 20, provision: 'Code 6.15 (stage 2 extension no more than 20 working days)' },
  ],
};

/** What a letter must say about the time limit for going to the ombudsman, where the baseline states one. */
export const REFERRAL_TIME_LIMITS = {
  england: {
    // "within 12 months of our final response": counted from it, not merely mentioned near it.
    pattern: /\b(12|twelve) months (of|from|after) (our|the|your) final (response|decision)\b/i,
    limit: '12 months from the final (stage 2) response',
    wording: 'within 12 months of our final response',
    provision:
      'Housing Ombudsman: referral within 12 months of the final response (reference/code-2024.md section 2)',
  },
  scotland: {
    pattern: /\b(12|twelve) months\b.*\baware\b/i,
    limit: '12 months from becoming aware of the problem',
    wording: 'within 12 months of becoming aware of the problem (normally)',
    provision: 'SPSO: complaints normally within 12 months of becoming aware of the problem',
  },
} satisfies Partial<Record<Jurisdiction, ReferralTimeLimitRule>>;

/** The most working days the baseline lets a stage's response be extended by, where it sets a cap. */
export function baselineExtensionCap(jurisdiction: Jurisdiction, stage: 1 | 2): number | undefined {
  return EXTENSION_CAPS[jurisdiction]?.[stage - 1]?.max;
}

/** The jurisdiction's own time limit for going to the ombudsman, where the baseline states one. */
export function referralTimeLimitRule(jurisdiction: Jurisdiction): ReferralTimeLimitRule | undefined {
  return (REFERRAL_TIME_LIMITS as Partial<Record<Jurisdiction, ReferralTimeLimitRule>>)[jurisdiction];
}

const DEMOCRATIC_FILTER = {
  provision: 'Housing Ombudsman Scheme from 1 October 2022 (democratic filter removed; reference section 7)',
  limit: 'no mention of it: residents go straight to the Ombudsman after the final response',
  abolished: true,
};

/** Wording that misstates the route to the Ombudsman: the linter finds it in profiles, the letter check in letters. */
export const FORBIDDEN_WORDING = [
  {
    rule: 'wording.designated-person',
    pattern: /designated\s+person/i,
    what: 'the "designated person" route',
    ...DEMOCRATIC_FILTER,
  },
  {
    rule: 'wording.eight-week-wait',
    pattern: /\b(8|eight)[\s-]+weeks?\b/i,
    what: 'an 8-week wait before going to the Ombudsman',
    ...DEMOCRATIC_FILTER,
  },
  {
    rule: 'wording.ombudsman-before-final-response',
    pattern:
      /without the need to exhaust|without (first )?(exhausting|completing) (the|our|its|the landlord.s) complaints? process/i,
    what: "a formal referral to the Ombudsman before the landlord's process is complete",
    provision:
      'Housing Ombudsman: it investigates only once both landlord stages are complete; before that it can give advice and support or step in when the landlord misses its timescales (reference/code-2024.md section 2)',
    limit:
      'residents may contact the Ombudsman at any time for advice; it investigates after the final response',
    abolished: false,
  },
  {
    rule: 'wording.referral-time-limit',
    pattern: /\b(12|twelve) months of (your|the|their) (original |initial )?complaint\b/i,
    what: 'a 12-month referral limit counted from the original complaint',
    provision:
      'Housing Ombudsman: referral within 12 months of the final response (reference/code-2024.md section 2)',
    limit: '12 months from the final (stage 2) response',
    abolished: false,
    // ombudsman.referralTimeLimit has its own check (ombudsman.referral-time-limit).
    skipField: 'ombudsman.referralTimeLimit',
  },
] as const;
