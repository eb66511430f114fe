import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import '../zod-messages.ts';
import { CALENDAR_REGIONS } from '../calendar/working-calendar.ts';
import { lazy } from '../lazy.ts';
import { isCivilDate } from '../time/london.ts';

export const JURISDICTIONS = ['england', 'scotland', 'wales'] as const;

export type Jurisdiction = (typeof JURISDICTIONS)[number];

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

/** The kinds of record kept after a case closes, each with its own retention period. */
export const RECORD_KINDS = ['case', 'attachments', 'letters', 'rawEmail'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/**
 * No seed policy states a period, so each kind defaults to six years after closure: the limitation period for
 * a claim in contract or tort (Limitation Act 1980 s.2, s.5), within which the records may be evidence.
 */
export const DEFAULT_RETENTION_YEARS = 6;

/**
 * The profile's schema, built on first use: a function parses the profile on its first request, and building
 * the schema while the module loaded was most of zod's cost in every cold start (issue 12, ADR 0018).
 */
export const ProviderProfile = lazy(() => {
  const civilDate = z
    .string()
    .check(z.refine(isCivilDate, { message: 'must be a real date in the form YYYY-MM-DD' }));
  const datedReason = z.strictObject({ date: civilDate, reason: z.string().check(z.minLength(1)) });
  const nonEmpty = z.string().check(z.trim(), z.minLength(1));

  const Duration = z.strictObject({
    amount: z.int().check(z.positive()),
    unit: z.enum(['working-days', 'calendar-days', 'months']),
  });

  const Extension = z.strictObject({
    /** null where the published policy sets no cap (the linter flags it in England). */
    maxWorkingDays: z.nullable(z.int().check(z.gte(0))),
    allowedReasons: z
      .array(nonEmpty)
      .check(z.minLength(1, 'list at least one reason an extension may be granted for')),
  });

  /**
   * How long after the stage 1 response a resident may ask for stage 2. `orAfterEvent` adds the SPSO rule: the
   * request is in time until the later of that and this long after the events complained about (or the resident
   * becoming aware of them).
   */
  const EscalationWindow = z.strictObject({ ...Duration.shape, orAfterEvent: z.optional(Duration) });

  /**
   * A step the published policy puts before a stage (an informal "put it right" or "service recovery" route, or a
   * "resolve your outstanding concerns" step before stage 2). Modelled so the linter can report it: the Code allows
   * no stage outside the two (Code 5.2, 6.10).
   */
  const InformalStep = z.strictObject({
    name: nonEmpty,
    before: z.enum(['stage1', 'stage2']),
    description: nonEmpty,
  });

  const StagePolicy = z.strictObject({
    name: nonEmpty,
    acknowledgeWorkingDays: z.int().check(z.positive()),
    respondWorkingDays: z.int().check(z.positive()),
    /** The event the response clock runs from. */
    responseClockStartsAt: z.enum(['acknowledgement', 'receipt', 'escalation-request']),
    extension: Extension,
  });

  const Contact = z.strictObject({
    name: nonEmpty,
    email: z.optional(z.email()),
    phone: z.optional(nonEmpty),
    website: z.optional(z.url()),
    address: z.optional(nonEmpty),
  });

  const Regulator = z.strictObject({
    ...Contact.shape,
    /** What it covers, as a letter would say it, e.g. "care services" or "building safety in higher-risk buildings". */
    appliesTo: nonEmpty,
  });

  /** 'each': an email per new task; 'digest': the day's new tasks in one email each working morning. */
  const NEW_TASK_DELIVERY = z.enum(['each', 'digest']);

  const distinctList = (what: string) =>
    z.array(nonEmpty.check(z.maxLength(200))).check(
      z.minLength(1, `list at least one ${what}`),
      z.refine((items) => new Set(items.map((item) => item.toLowerCase())).size === items.length, {
        message: `each ${what} must be listed once`,
      }),
    );

  const Learning = z.strictObject({ themes: distinctList('theme'), rootCauses: distinctList('root cause') });

  const retentionYears = z._default(
    z
      .number({ error: 'must be a number of years after closure, e.g. 6' })
      .check(
        z.int('must be a whole number of years after closure, e.g. 6'),
        z.positive('must be at least 1 year after closure'),
      ),
    DEFAULT_RETENTION_YEARS,
  );

  /** Years after a case closes that each kind of record is kept (UK GDPR storage limitation). */
  const Retention = z.prefault(
    z.strictObject(
      Object.fromEntries(RECORD_KINDS.map((kind) => [kind, retentionYears])) as {
        [K in RecordKind]: typeof retentionYears;
      },
    ),
    {},
  );

  return z.strictObject({
    id: z.string().check(
      // Resource names carry it: "complaints-<id>-attachments-<account>" (S3, 63 characters) and
      // "complaints-<id>-submit-complaint-resident" (Lambda, 64) leave room for 27.
      z.regex(
        /^[a-z][a-z0-9-]{1,25}[a-z0-9]$/,
        'must be 3-27 lower-case letters, digits and hyphens (it names AWS resources)',
      ),
    ),
    name: nonEmpty,
    legalName: z.optional(nonEmpty),
    jurisdiction: z.enum(JURISDICTIONS),
    homes: z.int().check(z.positive()),
    calendar: z.strictObject({
      region: z.enum(CALENDAR_REGIONS),
      closureDays: z._default(z.array(datedReason), []),
      extraBankHolidays: z._default(z.array(datedReason), []),
      receiptCutoff: z.optional(
        z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time HH:MM')),
      ),
    }),
    stages: z.array(StagePolicy).check(z.minLength(1)),
    /** How long after the stage 1 response a resident may ask for stage 2; null means no limit. */
    escalationWindow: z.nullable(EscalationWindow),
    informalSteps: z._default(z.array(InformalStep), []),
    reminderLeadWorkingDays: z.int().check(z.gte(0)),
    /**
     * When an acknowledgement or response deadline is missed, the resident is told (with an apology) that they
     * will have it within this many working days of the missed date: the landlord's new date.
     */
    missedDeadlineWorkingDays: z._default(z.int().check(z.positive()), 5),
    /** How long after the events (or becoming aware of them) a complaint may be raised. */
    raisingWindow: Duration,
    /** How long after their tenancy ends a former tenant may still complain, where the policy limits it. */
    formerTenantRaisingWindow: z.optional(Duration),
    complaintDefinition: nonEmpty,
    exclusions: z
      .array(
        z.strictObject({
          code: z.string().check(z.regex(/^[a-z0-9-]+$/)),
          description: nonEmpty,
          evidenceRequired: z.boolean(),
        }),
      )
      .check(z.minLength(1)),
    contact: Contact,
    ombudsman: z.strictObject({
      ...Contact.shape,
      /** How long a resident has to refer the final response, as letters state it. */
      referralTimeLimit: nonEmpty,
      /** The sentences letters use to explain the route to the ombudsman. */
      referralGuidance: nonEmpty,
    }),
    otherRegulators: z._default(z.array(Regulator), []),
    compensation: z.strictObject({
      summary: nonEmpty,
      /** The most a stage 1 handler may offer without a manager, in pounds. */
      handlerLimitPounds: z.optional(z.number().check(z.gte(0))),
    }),
    letters: z.strictObject({
      senderName: nonEmpty,
      senderEmail: z.email(),
      replyTo: z.optional(z.email()),
      signature: nonEmpty,
    }),
    /**
     * How each role hears about new tasks: an email per task, or one digest of the day's new tasks each working
     * morning. Reminders, breaches and residents' replies are always sent at once. Handlers and reviewers default to
     * the digest: their tasks' deadlines are working days away when they open, and an email per task was a staff
     * email for every step of a case (issue 12).
     */
    notifications: z.prefault(
      z.strictObject({
        newTasks: z.prefault(
          z.strictObject({
            handler: z._default(NEW_TASK_DELIVERY, 'digest'),
            reviewer: z._default(NEW_TASK_DELIVERY, 'digest'),
            manager: z._default(NEW_TASK_DELIVERY, 'each'),
            admin: z._default(NEW_TASK_DELIVERY, 'each'),
          }),
          {},
        ),
      }),
      {},
    ),
    learning: z._default(Learning, DEFAULT_LEARNING),
    retention: Retention,
    /**
     * Deployment options, off by default: `waf` puts CloudFront and an AWS WAF web ACL in front of the API
     * (ADR 0003); `xrayTracing` turns on X-Ray active tracing in every function and the state machine
     * (ADR 0020: about $0.00004 a full case, so off unless a landlord asks for it).
     */
    features: z._default(
      z.strictObject({ waf: z._default(z.boolean(), false), xrayTracing: z._default(z.boolean(), false) }),
      { waf: false, xrayTracing: false },
    ),
    explanations: z._default(z.array(z.strictObject({ rule: nonEmpty, reason: nonEmpty })), []),
    /** Where each value came from: the published policy (seed file and line) or a product default. */
    sources: z._default(z.record(z.string(), z.string()), {}),
  });
});

export type ProviderProfile = z.infer<ReturnType<typeof ProviderProfile>>;
export type ProviderProfileInput = z.input<ReturnType<typeof ProviderProfile>>;
export type Duration = ProviderProfile['raisingWindow'];
export type EscalationWindow = NonNullable<ProviderProfile['escalationWindow']>;
export type StagePolicy = ProviderProfile['stages'][number];
export type Contact = ProviderProfile['contact'];
/** 'each': an email per new task; 'digest': the day's new tasks in one email each working morning. */
export type NewTaskDelivery = ProviderProfile['notifications']['newTasks']['handler'];
/** Years after a case closes that each kind of record is kept (UK GDPR storage limitation). */
export type Retention = ProviderProfile['retention'];

/** The longest period any record kind is kept: what backups of the case data must cover. */
export function longestRetentionYears(retention: Retention): number {
  return Math.max(...RECORD_KINDS.map((kind) => retention[kind]));
}

/**
 * The SHA-256 of the profile as parsed: what a cached report month was built with, and what the system last
 * applied to open cases' due dates (a different one at start or in the daily run means the profile changed).
 */
export function profileFingerprint(profile: ProviderProfile): string {
  let fingerprint = fingerprints.get(profile);
  if (fingerprint === undefined) {
    fingerprint = createHash('sha256').update(JSON.stringify(profile)).digest('hex');
    fingerprints.set(profile, fingerprint);
  }
  return fingerprint;
}

/**
 * Each letter is stamped with its profile's fingerprint and a profile change compares one per open case: a
 * profile is read once and never changed, so its fingerprint is computed once.
 */
const fingerprints = new WeakMap<ProviderProfile, string>();
