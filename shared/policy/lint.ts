import { BASELINES, type Baseline } from './baselines.ts';
import { CANONICAL_OMBUDSMEN, staleOmbudsmanDetails } from './ombudsmen.ts';
import type { Duration, Jurisdiction, ProviderProfile } from './profile.ts';
import { FORBIDDEN_WORDING } from './runtime-baselines.ts';

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
  if (baseline.referralTimeLimit && !baseline.referralTimeLimit.pattern.test(ombudsman.referralTimeLimit)) {
    findings.push({
      rule: 'ombudsman.referral-time-limit',
      provision: baseline.referralTimeLimit.provision,
      field: 'ombudsman.referralTimeLimit',
      found: `"${ombudsman.referralTimeLimit}"`,
      limit: baseline.referralTimeLimit.limit,
      message: `Letters would tell residents they must go to the ombudsman "${ombudsman.referralTimeLimit}"; the limit is ${baseline.referralTimeLimit.limit}.`,
    });
  }
  return [...findings, ...checkOmbudsmanDetails(profile)];
}

/** Letters quote these details, so a stale address or number sends residents nowhere. */
function checkOmbudsmanDetails(profile: ProviderProfile): Finding[] {
  const canonical = CANONICAL_OMBUDSMEN[profile.jurisdiction];
  const { ombudsman } = profile;
  return staleOmbudsmanDetails(profile).map((key) => ({
    rule: `ombudsman.${key}`,
    provision: canonical.provision,
    field: `ombudsman.${key}`,
    found: String(ombudsman[key]),
    limit: canonical.display,
    message: `The ombudsman's ${key} "${String(ombudsman[key])}" is not the one the ombudsman publishes.`,
  }));
}

function checkDefinition(profile: ProviderProfile, baseline: Baseline): Finding[] {
  const rule = baseline.complaintDefinition;
  if (!rule) return [];
  const missing = rule.elements.filter((element) => !element.pattern.test(profile.complaintDefinition));
  if (missing.length === 0) return [];
  return [
    {
      rule: 'complaint-definition',
      provision: rule.provision,
      field: 'complaintDefinition',
      found: `"${profile.complaintDefinition}" (missing: ${missing.map((element) => element.what).join('; ')})`,
      limit: `"${rule.text}"`,
      message: `The definition of a complaint differs from ${rule.provision.split(' (')[0]}: it does not say ${missing.map((element) => `"${element.what}"`).join(', ')}.`,
    },
  ];
}

function checkExclusions(profile: ProviderProfile, baseline: Baseline): Finding[] {
  const findings: Finding[] = [];
  for (const [index, exclusion] of profile.exclusions.entries()) {
    const ground = baseline.notGrounds?.find(
      (candidate) => candidate.code === exclusion.code || candidate.pattern.test(exclusion.description),
    );
    if (!ground) continue;
    findings.push({
      rule: `exclusion.${exclusion.code}`,
      provision: ground.provision,
      field: `exclusions[${index}]`,
      found: `"${exclusion.description}"`,
      limit: 'only the grounds the Code allows for not accepting a complaint',
      message: `Exclusion "${exclusion.code}" is not a ground the Code allows: ${ground.why}.`,
    });
  }
  return findings;
}

function checkInformalSteps(profile: ProviderProfile, baseline: Baseline): Finding[] {
  const provisions = baseline.informalSteps;
  if (!provisions) return [];
  return profile.informalSteps.map((step, index) => ({
    rule: `informal-step.before-${step.before}`,
    provision: provisions[step.before],
    field: `informalSteps[${index}]`,
    found: `"${step.name}" before ${step.before === 'stage1' ? 'stage 1' : 'stage 2'}`,
    limit: 'no step outside the two stages',
    message: `"${step.name}" is a resolution step before ${step.before === 'stage1' ? 'stage 1' : 'stage 2'}, outside the two-stage process.`,
  }));
}

function checkFormerTenants(profile: ProviderProfile, baseline: Baseline): Finding[] {
  const window = profile.formerTenantRaisingWindow;
  const { min, provision } = baseline.raisingWindowMonths;
  if (!window || monthsIn(window) >= min) return [];
  return [
    {
      rule: 'former-tenant-window',
      provision,
      field: 'formerTenantRaisingWindow',
      found: `${describe(window)} from the end of the tenancy`,
      limit: `at least ${min} months from the issue`,
      message: `Former tenants may complain only within ${describe(window)} of their tenancy ending, so a complaint about an issue less than ${min} months old can be refused.`,
    },
  ];
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
      if ('skipField' in forbidden && forbidden.skipField === field) continue;
      const match = forbidden.pattern.exec(value);
      if (!match) continue;
      findings.push({
        rule: forbidden.rule,
        provision: forbidden.provision,
        field,
        found: `"${match[0]}"`,
        limit: forbidden.limit,
        message: forbidden.abolished
          ? `${field} mentions ${forbidden.what}, a route that was abolished on 1 October 2022.`
          : `${field} states ${forbidden.what}, which misstates the Ombudsman's rules.`,
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
    ...checkDefinition(profile, baseline),
    ...checkExclusions(profile, baseline),
    ...checkInformalSteps(profile, baseline),
    ...checkFormerTenants(profile, baseline),
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
