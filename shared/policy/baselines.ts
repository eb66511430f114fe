import type { Jurisdiction, StagePolicy } from './profile.ts';
import { EXTENSION_CAPS, REFERRAL_TIME_LIMITS, type ReferralTimeLimitRule } from './runtime-baselines.ts';

/*
 * Each jurisdiction's baseline (the Code's or the ombudsman's model policy) as the profile linter reads it. The
 * parts letters and reporting read at run time are in runtime-baselines.ts, so that the functions do not carry
 * the rest (issue 12: every function within 300 KB).
 */
export interface Baseline {
  name: string;
  ombudsmanName: RegExp;
  stageCount: { rule: string; provision: string };
  stages: ReadonlyArray<{
    acknowledge?: { max: number; provision: string };
    respond: { max: number; provision: string; clockStarts: readonly StagePolicy['responseClockStartsAt'][] };
    extension?: { max: number; provision: string };
  }>;
  raisingWindowMonths: { min: number; provision: string };
  /** What a letter must say about the time limit for going to the ombudsman. */
  referralTimeLimit?: ReferralTimeLimitRule;
  /** The parts of the baseline's definition of a complaint a profile's definition must contain. */
  complaintDefinition?: {
    text: string;
    provision: string;
    elements: ReadonlyArray<{ what: string; pattern: RegExp }>;
  };
  /** Steps outside the stages that the baseline forbids, by the stage they come before. */
  informalSteps?: Record<'stage1' | 'stage2', string>;
  /** Exclusions the baseline does not recognise as a ground for refusing a complaint. */
  notGrounds?: ReadonlyArray<{ code: string; pattern: RegExp; provision: string; why: string }>;
  notes: string[];
}

/** Code 1.2, as the 2024 Code words it (quoted in the self-assessments listed in reference/code-2024.md). */
export const CODE_COMPLAINT_DEFINITION =
  'An expression of dissatisfaction, however made, about the standard of service, actions or lack of action by the landlord, its own staff, or those acting on its behalf, affecting a resident or group of residents.';

export const BASELINES: Record<Jurisdiction, Baseline> = {
  england: {
    name: 'Housing Ombudsman Complaint Handling Code 2024',
    ombudsmanName: /housing ombudsman/i,
    stageCount: { rule: 'stages.count', provision: 'Code 5.3 (a two-stage process; never more)' },
    stages: [
      {
        acknowledge: {
          max: 5,
          provision: 'Code 6.2 (stage 1 acknowledged within 5 working days of receipt)',
        },
        respond: {
          max: 10,
          provision: 'Code 6.3 (stage 1 response within 10 working days of acknowledgement)',
          clockStarts: ['acknowledgement', 'receipt'],
        },
        extension: EXTENSION_CAPS.england[0],
      },
      {
        acknowledge: {
          max: 5,
          provision: 'Code 6.11 (stage 2 acknowledged within 5 working days of the request)',
        },
        respond: {
          max: 20,
          provision: 'Code 6.14 (stage 2 response within 20 working days of acknowledgement)',
          clockStarts: ['acknowledgement', 'escalation-request'],
        },
        extension: EXTENSION_CAPS.england[1],
      },
    ],
    raisingWindowMonths: {
      min: 12,
      provision: 'Code 2.3 (complaints raised within 12 months must be accepted)',
    },
    referralTimeLimit: REFERRAL_TIME_LIMITS.england,
    complaintDefinition: {
      text: CODE_COMPLAINT_DEFINITION,
      provision: "Code 1.2 (a complaint must be defined in the Code's words)",
      elements: [
        { what: 'an expression of dissatisfaction', pattern: /expression of dissatisfaction/i },
        { what: 'however made', pattern: /however made/i },
        { what: 'about the standard of service', pattern: /standard of service/i },
        {
          what: 'actions or lack of action',
          pattern: /\bactions?,? or lack of action|\baction or inaction/i,
        },
        { what: 'by its own staff', pattern: /\b(staff|colleagues|employees)\b/i },
        { what: 'or those acting on its behalf', pattern: /\bon (its|our|their) behalf/i },
        {
          what: 'affecting a resident or group of residents',
          pattern: /\baffecting\b.*\b(residents?|tenants?|customers?)\b/i,
        },
      ],
    },
    informalSteps: {
      stage1:
        'Code 5.2 (no informal or "stage 0" step before stage 1: early resolution happens within stage 1)',
      stage2:
        'Code 5.2 and 6.10 (whatever is unresolved after the stage 1 response goes to stage 2, with no step in between)',
    },
    notGrounds: [
      {
        code: 'compensation-only',
        pattern: /\b(request|claim)s? for compensation only\b|\bcompensation[- ]only\b/i,
        provision:
          'Code 2.2 (grounds such as an issue over 12 months old, legal proceedings, already considered) and 7.1 (a financial remedy is one way to put things right)',
        why: 'a request for compensation is a request to put something right, which the complaints process exists to consider',
      },
      {
        code: 'contractor-handled',
        pattern: /\bcontractor to handle the complaint themselves\b/i,
        provision: 'Code 5.4 (a third party handling a complaint does so within the two-stage process)',
        why: 'residents must not face a second process run by a contractor',
      },
    ],
    notes: [],
  },
  scotland: {
    name: 'SPSO Model Complaints Handling Procedure',
    ombudsmanName: /scottish public services ombudsman|spso/i,
    stageCount: { rule: 'stages.count', provision: 'SPSO MCHP (a two-stage procedure)' },
    stages: [
      {
        respond: {
          max: 5,
          provision: 'SPSO MCHP stage 1 (frontline response within 5 working days)',
          clockStarts: ['receipt'],
        },
      },
      {
        acknowledge: { max: 3, provision: 'SPSO MCHP stage 2 (acknowledged within 3 working days)' },
        respond: {
          max: 20,
          provision: 'SPSO MCHP stage 2 (response within 20 working days)',
          clockStarts: ['acknowledgement', 'escalation-request'],
        },
      },
    ],
    raisingWindowMonths: { min: 6, provision: 'SPSO MCHP (complaints within 6 months of the event)' },
    referralTimeLimit: REFERRAL_TIME_LIMITS.scotland,
    notes: ['SPSO stage 2 extensions are agreed with the complainant case by case; no fixed cap is checked.'],
  },
  wales: {
    name: 'Public Services Ombudsman for Wales (model policy timescales not verified)',
    ombudsmanName: /public services ombudsman for wales|psow/i,
    stageCount: { rule: 'stages.count', provision: 'PSOW model policy (a two-stage procedure)' },
    stages: [],
    raisingWindowMonths: { min: 6, provision: 'PSOW model policy (complaints normally within 6 months)' },
    notes: [
      'The PSOW model policy timescales were not retrieved (reference/code-2024.md section 6); only structure, ombudsman details and wording are checked.',
    ],
  },
};
