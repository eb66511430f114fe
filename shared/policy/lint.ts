import type { Duration, Jurisdiction, ProviderProfile, StagePolicy } from './profile.ts';

export interface Finding {
  /** Stable id that an explanation names. */
  rule: string;
  /** The provision of the baseline the rule comes from. */
  provision: string;
  /** The profile field at fault. */
  field: string;
  found: string;
  limit: string;
  message: string;
}

export interface ExplainedDeparture extends Finding {
  reason: string;
}

export interface LintReport {
  profileId: string;
  jurisdiction: Jurisdiction;
  baseline: string;
  compliant: boolean;
  errors: Finding[];
  explained: ExplainedDeparture[];
  /** Explanations that name no current finding (stale or mistyped rule ids). */
  unusedExplanations: string[];
  notes: string[];
}

interface Baseline {
  name: string;
  ombudsmanName: RegExp;
  stageCount: { rule: string; provision: string };
  stages: ReadonlyArray<{
    acknowledge?: { max: number; provision: string };
    respond: { max: number; provision: string; clockStarts: readonly StagePolicy['responseClockStartsAt'][] };
    extension?: { max: number; provision: string };
  }>;
  raisingWindowMonths: { min: number; provision: string };
  notes: string[];
}

const BASELINES: Record<Jurisdiction, Baseline> = {
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
        extension: { max: 10, provision: 'Code 6.4 (stage 1 extension no more than 10 working days)' },
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
        extension: { max: 20, provision: 'Code 6.15 (stage 2 extension no more than 20 working days)' },
      },
    ],
    raisingWindowMonths: {
      min: 12,
      provision: 'Code 2.3 (complaints raised within 12 months must be accepted)',
    },
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

const FORBIDDEN_WORDING = [
  {
    rule: 'wording.designated-person',
    pattern: /designated\s+person/i,
    what: 'the "designated person" route',
  },
  {
    rule: 'wording.eight-week-wait',
    pattern: /\b(8|eight)[\s-]+weeks?\b/i,
    what: 'an 8-week wait before going to the Ombudsman',
  },
] as const;

function monthsIn(duration: Duration): number {
  switch (duration.unit) {
    case 'months':
      return duration.amount;
    case 'calendar-days':
      return duration.amount / (365 / 12);
    case 'working-days':
      // England and Wales have at least 252 working days in every year of the holiday table.
      return duration.amount / (252 / 12);
  }
}

function describe(duration: Duration): string {
  return `${duration.amount} ${duration.unit}`;
}

/** Every string in the profile with its path, for wording checks. */
function* strings(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value))
    for (const [i, item] of value.entries()) yield* strings(item, `${path}[${i}]`);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* strings(item, path ? `${path}.${key}` : key);
  }
}

function checkStages(profile: ProviderProfile, baseline: Baseline): Finding[] {
  const findings: Finding[] = [];
  if (profile.stages.length !== 2) {
    findings.push({
      rule: baseline.stageCount.rule,
      provision: baseline.stageCount.provision,
      field: 'stages',
      found: `${profile.stages.length} stage(s)`,
      limit: 'exactly 2 stages',
      message: `The complaints process must have exactly two stages; this profile has ${profile.stages.length}.`,
    });
  }
  baseline.stages.forEach((limits, index) => {
    const stage = profile.stages[index];
    if (!stage) return;
    const n = index + 1;
    const field = `stages[${index}]`;
    if (limits.acknowledge && stage.acknowledgeWorkingDays > limits.acknowledge.max) {
      findings.push({
        rule: `stage${n}.acknowledge`,
        provision: limits.acknowledge.provision,
        field: `${field}.acknowledgeWorkingDays`,
        found: `${stage.acknowledgeWorkingDays} working days`,
        limit: `at most ${limits.acknowledge.max} working days`,
        message: `Stage ${n} acknowledgement allows ${stage.acknowledgeWorkingDays} working days; the limit is ${limits.acknowledge.max}.`,
      });
    }
    if (stage.respondWorkingDays > limits.respond.max) {
      findings.push({
        rule: `stage${n}.respond`,
        provision: limits.respond.provision,
        field: `${field}.respondWorkingDays`,
        found: `${stage.respondWorkingDays} working days`,
        limit: `at most ${limits.respond.max} working days`,
        message: `Stage ${n} response allows ${stage.respondWorkingDays} working days; the limit is ${limits.respond.max}.`,
      });
    }
    if (!limits.respond.clockStarts.includes(stage.responseClockStartsAt)) {
      findings.push({
        rule: `stage${n}.response-clock`,
        provision: limits.respond.provision,
        field: `${field}.responseClockStartsAt`,
        found: stage.responseClockStartsAt,
        limit: `one of ${limits.respond.clockStarts.join(', ')}`,
        message: `Stage ${n} response clock starts at "${stage.responseClockStartsAt}", which the baseline does not allow.`,
      });
    }
    const cap = stage.extension.maxWorkingDays;
    if (limits.extension && (cap === null || cap > limits.extension.max)) {
      const found = cap === null ? 'no cap stated' : `${cap} working days`;
      findings.push({
        rule: `stage${n}.extension`,
        provision: limits.extension.provision,
        field: `${field}.extension.maxWorkingDays`,
        found,
        limit: `at most ${limits.extension.max} working days`,
        message: `Stage ${n} extensions allow ${cap === null ? 'an open-ended extension' : `up to ${cap} working days`}; the limit is ${limits.extension.max}.`,
      });
    }
  });
  return findings;
}

function checkRaisingWindow(profile: ProviderProfile, baseline: Baseline): Finding[] {
  const { min, provision } = baseline.raisingWindowMonths;
  if (monthsIn(profile.raisingWindow) >= min) return [];
  return [
    {
      rule: 'raising-window',
      provision,
      field: 'raisingWindow',
      found: describe(profile.raisingWindow),
      limit: `at least ${min} months`,
      message: `Residents may raise a complaint only within ${describe(profile.raisingWindow)}; they must have at least ${min} months.`,
    },
  ];
}

function checkOmbudsman(profile: ProviderProfile, baseline: Baseline): Finding[] {
  const { ombudsman } = profile;
  const findings: Finding[] = [];
  if (!baseline.ombudsmanName.test(ombudsman.name)) {
    findings.push({
      rule: 'ombudsman.name',
      provision: `${baseline.name}: the ombudsman route`,
      field: 'ombudsman.name',
      found: ombudsman.name,
      limit: `the ombudsman for ${profile.jurisdiction} (${baseline.ombudsmanName.source})`,
      message: `The ombudsman named ("${ombudsman.name}") is not the one for ${profile.jurisdiction}.`,
    });
  }
  if (!ombudsman.phone && !ombudsman.email && !ombudsman.website) {
    findings.push({
      rule: 'ombudsman.contact',
      provision: 'Code 6.5, 6.16, 6.20 (letters give the Ombudsman contact details)',
      field: 'ombudsman',
      found: 'no phone, email or website',
      limit: 'at least one of phone, email, website',
      message: 'The profile must give the ombudsman contact details that letters quote.',
    });
  }
  return findings;
}

function checkWording(profile: ProviderProfile): Finding[] {
  const findings: Finding[] = [];
  // Other regulators keep their own rules: the Financial Ombudsman's eight-week wait for money advice
  // complaints (FCA DISP) is real and must not be mistaken for the abolished Housing Ombudsman filter.
  const {
    explanations: _explanations,
    sources: _sources,
    otherRegulators: _otherRegulators,
    ...text
  } = profile;
  for (const [field, value] of strings(text, '')) {
    for (const forbidden of FORBIDDEN_WORDING) {
      const match = forbidden.pattern.exec(value);
      if (!match) continue;
      findings.push({
        rule: forbidden.rule,
        provision:
          'Housing Ombudsman Scheme from 1 October 2022 (democratic filter removed; reference section 7)',
        field,
        found: `"${match[0]}"`,
        limit: 'no mention of it: residents go straight to the Ombudsman after the final response',
        message: `${field} mentions ${forbidden.what}, a route that was abolished on 1 October 2022.`,
      });
    }
  }
  return findings;
}

export function lintProfile(profile: ProviderProfile): LintReport {
  const baseline = BASELINES[profile.jurisdiction];
  const findings = [
    ...checkStages(profile, baseline),
    ...checkRaisingWindow(profile, baseline),
    ...checkOmbudsman(profile, baseline),
    ...(profile.jurisdiction === 'england' ? checkWording(profile) : []),
  ];
  const reasons = new Map(profile.explanations.map((explanation) => [explanation.rule, explanation.reason]));
  const errors: Finding[] = [];
  const explained: ExplainedDeparture[] = [];
  for (const finding of findings) {
    const reason = reasons.get(finding.rule);
    if (reason) explained.push({ ...finding, reason });
    else errors.push(finding);
  }
  const ruleIds = new Set(findings.map((finding) => finding.rule));
  return {
    profileId: profile.id,
    jurisdiction: profile.jurisdiction,
    baseline: baseline.name,
    compliant: errors.length === 0,
    errors,
    explained,
    unusedExplanations: [...reasons.keys()].filter((rule) => !ruleIds.has(rule)),
    notes: baseline.notes,
  };
}

export function formatLintReport(report: LintReport): string {
  const lines = [
    `${report.profileId}: ${report.compliant ? 'compliant' : 'NOT compliant'} with the ${report.baseline}`,
  ];
  for (const error of report.errors) {
    lines.push(`  ✗ [${error.rule}] ${error.message}`);
    lines.push(
      `      provision: ${error.provision}; field: ${error.field}; found: ${error.found}; limit: ${error.limit}`,
    );
  }
  for (const departure of report.explained) {
    lines.push(`  ! explained departure [${departure.rule}] ${departure.message}`);
    lines.push(
      `      provision: ${departure.provision}; field: ${departure.field}; reason given: ${departure.reason}`,
    );
  }
  for (const rule of report.unusedExplanations) {
    lines.push(`  ? explanation for "${rule}" matches no finding (remove it or fix the rule id)`);
  }
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}
