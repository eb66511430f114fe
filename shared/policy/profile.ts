import * as z from 'zod';
import { CALENDAR_REGIONS } from '../calendar/working-calendar.ts';
import { isCivilDate } from '../time/london.ts';

const civilDate = z.string().refine(isCivilDate, { message: 'must be a real date in the form YYYY-MM-DD' });
const datedReason = z.object({ date: civilDate, reason: z.string().min(1) }).strict();
const nonEmpty = z.string().trim().min(1);

export const Duration = z
  .object({
    amount: z.number().int().positive(),
    unit: z.enum(['working-days', 'calendar-days', 'months']),
  })
  .strict();
export type Duration = z.infer<typeof Duration>;

const Extension = z
  .object({
    /** null where the published policy sets no cap (the linter flags it in England). */
    maxWorkingDays: z.number().int().min(0).nullable(),
    allowedReasons: z.array(nonEmpty).min(1, 'list at least one reason an extension may be granted for'),
  })
  .strict();

/**
 * How long after the stage 1 response a resident may ask for stage 2. `orAfterEvent` adds the SPSO rule: the
 * request is in time until the later of that and this long after the events complained about (or the resident
 * becoming aware of them).
 */
export const EscalationWindow = Duration.extend({ orAfterEvent: Duration.optional() }).strict();
export type EscalationWindow = z.infer<typeof EscalationWindow>;

/**
 * A step the published policy puts before a stage (an informal "put it right" or "service recovery" route, or a
 * "resolve your outstanding concerns" step before stage 2). Modelled so the linter can report it: the Code allows
 * no stage outside the two (Code 5.2, 6.10).
 */
const InformalStep = z
  .object({
    name: nonEmpty,
    before: z.enum(['stage1', 'stage2']),
    description: nonEmpty,
  })
  .strict();

export const StagePolicy = z
  .object({
    name: nonEmpty,
    acknowledgeWorkingDays: z.number().int().positive(),
    respondWorkingDays: z.number().int().positive(),
    /** The event the response clock runs from. */
    responseClockStartsAt: z.enum(['acknowledgement', 'receipt', 'escalation-request']),
    extension: Extension,
  })
  .strict();
export type StagePolicy = z.infer<typeof StagePolicy>;

const Contact = z
  .object({
    name: nonEmpty,
    email: z.email().optional(),
    phone: nonEmpty.optional(),
    website: z.url().optional(),
    address: nonEmpty.optional(),
  })
  .strict();
export type Contact = z.infer<typeof Contact>;

const Regulator = Contact.extend({
  /** What it covers, as a letter would say it, e.g. "care services" or "building safety in higher-risk buildings". */
  appliesTo: nonEmpty,
}).strict();

/** 'each': an email per new task; 'digest': the day's new tasks in one email each working morning. */
export const NEW_TASK_DELIVERY = z.enum(['each', 'digest']);
export type NewTaskDelivery = z.infer<typeof NEW_TASK_DELIVERY>;

export const JURISDICTIONS = ['england', 'scotland', 'wales'] as const;

/**
 * What staff choose from when a response is issued (Code 9.1, 9.2: learning from complaints): the service area
 * the complaint was about (its theme) and why it went wrong (its root cause). Lists so the figures group.
 */
export const DEFAULT_LEARNING = {
  themes: [
    'Repairs and maintenance',
    'Damp and mould',
    'Anti-social behaviour and neighbours',
    'Estate and neighbourhood services',
    'Rent, service charges and payments',
    'Lettings, moves and tenancy',
    'Communication and customer service',
    'Staff conduct',
    'Other',
  ],
  rootCauses: [
    'Resident not kept informed',
    'Timescale or appointment missed',
    'Work not done right first time',
    'Policy or procedure not followed',
    'Policy or procedure itself at fault',
    'Records wrong or missing',
    'Contractor performance',
    'Outside our control',
    'No fault found',
  ],
};

const distinctList = (what: string) =>
  z
    .array(nonEmpty.max(200))
    .min(1, `list at least one ${what}`)
    .refine((items) => new Set(items.map((item) => item.toLowerCase())).size === items.length, {
      message: `each ${what} must be listed once`,
    });

const Learning = z.object({ themes: distinctList('theme'), rootCauses: distinctList('root cause') }).strict();
export type Jurisdiction = (typeof JURISDICTIONS)[number];

/** The kinds of record kept after a case closes, each with its own retention period. */
export const RECORD_KINDS = ['case', 'attachments', 'letters', 'rawEmail'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/**
 * No seed policy states a period, so each kind defaults to six years after closure: the limitation period for
 * a claim in contract or tort (Limitation Act 1980 s.2, s.5), within which the records may be evidence.
 */
export const DEFAULT_RETENTION_YEARS = 6;

const retentionYears = z
  .number({ error: 'must be a number of years after closure, e.g. 6' })
  .int('must be a whole number of years after closure, e.g. 6')
  .positive('must be at least 1 year after closure')
  .default(DEFAULT_RETENTION_YEARS);

/** Years after a case closes that each kind of record is kept (UK GDPR storage limitation). */
export const Retention = z
  .object(
    Object.fromEntries(RECORD_KINDS.map((kind) => [kind, retentionYears])) as {
      [K in RecordKind]: typeof retentionYears;
    },
  )
  .strict()
  .prefault({});
export type Retention = z.infer<typeof Retention>;

/** The longest period any record kind is kept: what backups of the case data must cover. */
export function longestRetentionYears(retention: Retention): number {
  return Math.max(...RECORD_KINDS.map((kind) => retention[kind]));
}

export const ProviderProfile = z
  .object({
    id: z
      .string()
      // Resource names carry it: "complaints-<id>-attachments-<account>" (S3, 63 characters) and
      // "complaints-<id>-submit-complaint-resident" (Lambda, 64) leave room for 27.
      .regex(
        /^[a-z][a-z0-9-]{1,25}[a-z0-9]$/,
        'must be 3-27 lower-case letters, digits and hyphens (it names AWS resources)',
      ),
    name: nonEmpty,
    legalName: nonEmpty.optional(),
    jurisdiction: z.enum(JURISDICTIONS),
    homes: z.number().int().positive(),
    calendar: z
      .object({
        region: z.enum(CALENDAR_REGIONS),
        closureDays: z.array(datedReason).default([]),
        extraBankHolidays: z.array(datedReason).default([]),
        receiptCutoff: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time HH:MM')
          .optional(),
      })
      .strict(),
    stages: z.array(StagePolicy).min(1),
    /** How long after the stage 1 response a resident may ask for stage 2; null means no limit. */
    escalationWindow: EscalationWindow.nullable(),
    informalSteps: z.array(InformalStep).default([]),
    reminderLeadWorkingDays: z.number().int().min(0),
    /**
     * When an acknowledgement or response deadline is missed, the resident is told (with an apology) that they
     * will have it within this many working days of the missed date: the landlord's new date.
     */
    missedDeadlineWorkingDays: z.number().int().positive().default(5),
    /** How long after the events (or becoming aware of them) a complaint may be raised. */
    raisingWindow: Duration,
    /** How long after their tenancy ends a former tenant may still complain, where the policy limits it. */
    formerTenantRaisingWindow: Duration.optional(),
    complaintDefinition: nonEmpty,
    exclusions: z
      .array(
        z
          .object({
            code: z.string().regex(/^[a-z0-9-]+$/),
            description: nonEmpty,
            evidenceRequired: z.boolean(),
          })
          .strict(),
      )
      .min(1),
    contact: Contact,
    ombudsman: Contact.extend({
      /** How long a resident has to refer the final response, as letters state it. */
      referralTimeLimit: nonEmpty,
      /** The sentences letters use to explain the route to the ombudsman. */
      referralGuidance: nonEmpty,
    }).strict(),
    otherRegulators: z.array(Regulator).default([]),
    compensation: z
      .object({
        summary: nonEmpty,
        /** The most a stage 1 handler may offer without a manager, in pounds. */
        handlerLimitPounds: z.number().min(0).optional(),
      })
      .strict(),
    letters: z
      .object({
        senderName: nonEmpty,
        senderEmail: z.email(),
        replyTo: z.email().optional(),
        signature: nonEmpty,
      })
      .strict(),
    /**
     * How each role hears about new tasks: an email per task, or one digest of the day's new tasks each working
     * morning. Reminders, breaches and residents' replies are always sent at once. Handlers and reviewers default to
     * the digest: their tasks' deadlines are working days away when they open, and an email per task was a staff
     * email for every step of a case (issue 12).
     */
    notifications: z
      .object({
        newTasks: z
          .object({
            handler: NEW_TASK_DELIVERY.default('digest'),
            reviewer: NEW_TASK_DELIVERY.default('digest'),
            manager: NEW_TASK_DELIVERY.default('each'),
            admin: NEW_TASK_DELIVERY.default('each'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    learning: Learning.default(DEFAULT_LEARNING),
    retention: Retention,
    features: z
      .object({ waf: z.boolean().default(false) })
      .strict()
      .default({ waf: false }),
    explanations: z.array(z.object({ rule: nonEmpty, reason: nonEmpty }).strict()).default([]),
    /** Where each value came from: the published policy (seed file and line) or a product default. */
    sources: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export type ProviderProfile = z.infer<typeof ProviderProfile>;
export type ProviderProfileInput = z.input<typeof ProviderProfile>;
