import { describe, expect, it } from 'vitest';
import { lintProfile } from '#shared/policy/lint.ts';
import { listPresetIds, loadProfile, ProfileError, parseProfile } from '#shared/policy/load-profile.ts';
import { longestRetentionYears, type ProviderProfile } from '#shared/policy/profile.ts';
import { baselineProfile } from '../support/fixtures.ts';

function rules(profile: ProviderProfile): string[] {
  return lintProfile(profile).errors.map((finding) => finding.rule);
}

function withStage(index: number, change: Partial<ProviderProfile['stages'][number]>): ProviderProfile {
  const profile = baselineProfile();
  return {
    ...profile,
    stages: profile.stages.map((stage, i) => (i === index ? { ...stage, ...change } : stage)),
  };
}

describe('shipped presets', () => {
  it('ships the four seed landlords, the Code baseline and a Scottish example', () => {
    expect(listPresetIds()).toEqual([
      'amplius',
      'code-baseline',
      'living-plus',
      'spso-example',
      'unnamed-ha-review-group',
      'unnamed-ha-service-recovery',
    ]);
  });

  it.each([
    ['code-baseline', []],
    // Amplius's policy follows the Code; its 20-working-day escalation window is a policy choice the Code allows.
    ['amplius', []],
    // Stricter than the Code in its stage 1 clock, but former tenants get six months from the end of the tenancy
    // (seed 003 line 39) and the policy says residents can go to the Ombudsman "without the need to exhaust the
    // landlord's complaints process" (line 127).
    ['unnamed-ha-review-group', ['former-tenant-window', 'wording.ombudsman-before-final-response']],
    ['spso-example', []],
    // "agree an extended timeframe with you" sets no cap at either stage (seed 002 lines 23 and 35); the old
    // Liverpool PO box (line 46); a "service recovery" route before stage 1 (line 3) and a "resolve your
    // outstanding concerns" step before stage 2 (line 27).
    [
      'unnamed-ha-service-recovery',
      [
        'stage1.extension',
        'stage2.extension',
        'ombudsman.address',
        'informal-step.before-stage1',
        'informal-step.before-stage2',
      ],
    ],
    // Six months to complain, open-ended extensions, a referral limit counted from the original complaint, the old
    // Liverpool PO box, its own definition of a complaint, a compensation-only exclusion, contractors handling their
    // own complaints, "Put It Right" within 24 hours before stage 1, and the abolished designated person /
    // eight-week wait.
    [
      'living-plus',
      [
        'stage1.extension',
        'stage2.extension',
        'raising-window',
        'ombudsman.referral-time-limit',
        'ombudsman.address',
        'complaint-definition',
        'exclusion.compensation-only',
        'exclusion.contractor-handled',
        'informal-step.before-stage1',
        'wording.designated-person',
        'wording.eight-week-wait',
        'wording.referral-time-limit',
      ],
    ],
  ])('%s: the linter finds %j', (id, expected) => {
    expect(rules(loadProfile(id))).toEqual(expected);
  });

  it('models the steps the seeds put outside the two stages', () => {
    expect(loadProfile('living-plus').informalSteps).toEqual([
      expect.objectContaining({ name: 'Put It Right', before: 'stage1' }),
    ]);
    expect(loadProfile('unnamed-ha-service-recovery').informalSteps).toEqual([
      expect.objectContaining({ name: 'Service recovery', before: 'stage1' }),
      expect.objectContaining({ name: 'Resolve your outstanding concerns', before: 'stage2' }),
    ]);
  });

  it('takes the review group extension reasons from its seed, which lists none (nor does Code 6.4)', () => {
    const profile = loadProfile('unnamed-ha-review-group');
    for (const [index, stage] of profile.stages.entries()) {
      expect(stage.extension.allowedReasons).toEqual([
        'Extension warranted (the complainant is kept fully apprised)',
      ]);
      const source = profile.sources[`stages[${index}].extension.allowedReasons`];
      expect(source).toMatch(/seeds\/003_eeda7720ef30d927\.txt:69/);
      expect(source).not.toMatch(/^default: Code 6\.(4|15)/);
    }
    expect(profile.formerTenantRaisingWindow).toEqual({ amount: 6, unit: 'months' });
  });

  it('gives the SPSO stage 2 window as the later of six months from the event and two months after stage 1', () => {
    expect(loadProfile('spso-example').escalationWindow).toEqual({
      amount: 2,
      unit: 'months',
      orAfterEvent: { amount: 6, unit: 'months' },
    });
  });

  it('every value taken from a seed cites its file and line', () => {
    for (const id of listPresetIds()) {
      const profile = loadProfile(id);
      expect(Object.keys(profile.sources).length, id).toBeGreaterThan(10);
      for (const [field, source] of Object.entries(profile.sources)) {
        expect(source, `${id} ${field}`).toMatch(/^(seeds\/\d{3}_[0-9a-f]+\.txt:\d+|default:|reference\/)/);
      }
    }
  });

  it('the seed with six months, a designated person, an eight-week wait and the rest passes only once every departure is explained', () => {
    const livingPlus = loadProfile('living-plus');
    const explained = {
      ...livingPlus,
      explanations: rules(livingPlus).map((rule) => ({
        rule,
        reason: 'Policy under review; compliant by 1 April',
      })),
    };
    const report = lintProfile(explained);
    expect(report.compliant).toBe(true);
    expect(report.explained.map((departure) => departure.reason)).toHaveLength(12);
    expect(lintProfile({ ...explained, explanations: explained.explanations.slice(1) }).compliant).toBe(
      false,
    );
  });
});

describe('compliance linter', () => {
  it('passes values stricter than the Code', () => {
    const strict = withStage(0, { acknowledgeWorkingDays: 3, respondWorkingDays: 8 });
    expect(lintProfile(strict).compliant).toBe(true);
  });

  it('names the provision, field, value found and limit for each failure', () => {
    const [finding] = lintProfile(withStage(0, { acknowledgeWorkingDays: 6 })).errors;
    expect(finding).toEqual({
      rule: 'stage1.acknowledge',
      provision: 'Code 6.2 (stage 1 acknowledged within 5 working days of receipt)',
      field: 'stages[0].acknowledgeWorkingDays',
      found: '6 working days',
      limit: 'at most 5 working days',
      message: 'Stage 1 acknowledgement allows 6 working days; the limit is 5.',
    });
  });

  it.each([
    [withStage(0, { respondWorkingDays: 11 }), 'stage1.respond'],
    [withStage(1, { acknowledgeWorkingDays: 6 }), 'stage2.acknowledge'],
    [withStage(1, { respondWorkingDays: 25 }), 'stage2.respond'],
    [withStage(0, { extension: { maxWorkingDays: 11, allowedReasons: ['x'] } }), 'stage1.extension'],
    [withStage(1, { extension: { maxWorkingDays: 21, allowedReasons: ['x'] } }), 'stage2.extension'],
    [withStage(0, { responseClockStartsAt: 'escalation-request' }), 'stage1.response-clock'],
  ])('flags %#: %s', (profile, rule) => {
    expect(rules(profile)).toEqual([rule]);
  });

  it('requires exactly two stages', () => {
    const base = baselineProfile();
    const third = {
      ...base,
      stages: [...base.stages, { ...(base.stages[1] as ProviderProfile['stages'][number]), name: 'Panel' }],
    };
    expect(rules(third)).toEqual(['stages.count']);
    expect(rules({ ...base, stages: base.stages.slice(0, 1) })).toEqual(['stages.count']);
  });

  it('requires a raising window of at least 12 months, in any unit', () => {
    expect(rules(baselineProfile({ raisingWindow: { amount: 11, unit: 'months' } }))).toEqual([
      'raising-window',
    ]);
    expect(rules(baselineProfile({ raisingWindow: { amount: 365, unit: 'calendar-days' } }))).toEqual([]);
    expect(rules(baselineProfile({ raisingWindow: { amount: 180, unit: 'calendar-days' } }))).toEqual([
      'raising-window',
    ]);
  });

  it('requires the ombudsman for the jurisdiction, with contact details', () => {
    const base = baselineProfile();
    const { phone: _p, email: _e, website: _w, ...bare } = base.ombudsman;
    expect(rules({ ...base, ombudsman: bare })).toEqual(['ombudsman.contact']);
    expect(rules({ ...base, ombudsman: { ...base.ombudsman, name: 'Local Government Ombudsman' } })).toEqual([
      'ombudsman.name',
    ]);
  });

  it("finds abolished wording anywhere in the profile, but not in other regulators' own rules", () => {
    const base = baselineProfile();
    const profile = { ...base, compensation: { summary: 'You may ask a designated person to review this.' } };
    expect(lintProfile(profile).errors[0]).toMatchObject({
      rule: 'wording.designated-person',
      field: 'compensation.summary',
    });
    const fos = {
      ...base,
      otherRegulators: [
        { name: 'Financial Ombudsman Service', appliesTo: 'money advice, after eight weeks' },
      ],
    };
    expect(rules(fos)).toEqual([]);
  });

  it('reports explanations that match no finding', () => {
    const report = lintProfile(
      baselineProfile({ explanations: [{ rule: 'stage1.acknowlege', reason: 'typo' }] }),
    );
    expect(report.compliant).toBe(true);
    expect(report.unusedExplanations).toEqual(['stage1.acknowlege']);
  });

  it('applies the SPSO baseline in Scotland', () => {
    const spso = loadProfile('spso-example');
    const slow = {
      ...spso,
      stages: spso.stages.map((stage, i) => (i === 1 ? { ...stage, acknowledgeWorkingDays: 5 } : stage)),
    };
    expect(rules(slow)).toEqual(['stage2.acknowledge']);
    expect(rules({ ...spso, raisingWindow: { amount: 3, unit: 'months' } })).toEqual(['raising-window']);
  });
});

describe("compliance linter: the Code's wording, grounds and steps", () => {
  const base = baselineProfile();

  it('flags a definition of a complaint that is not Code 1.2, naming what is missing', () => {
    const report = lintProfile({
      ...base,
      complaintDefinition: loadProfile('living-plus').complaintDefinition,
    });
    expect(report.errors).toEqual([
      expect.objectContaining({
        rule: 'complaint-definition',
        provision: expect.stringMatching(/^Code 1\.2/),
        field: 'complaintDefinition',
        found: expect.stringContaining(
          'missing: however made; by its own staff; affecting a resident or group of residents',
        ),
        limit: expect.stringContaining('however made, about the standard of service'),
      }),
    ]);
    // The Code's words with the landlord's own nouns ("colleagues", "customers") are the Code's definition.
    expect(rules({ ...base, complaintDefinition: loadProfile('amplius').complaintDefinition })).toEqual([]);
  });

  it('flags an exclusion that is not a ground the Code allows, by code or by wording', () => {
    const exclusions = [
      ...base.exclusions,
      { code: 'money-only', description: 'A request for compensation only.', evidenceRequired: false },
    ];
    expect(lintProfile({ ...base, exclusions }).errors).toEqual([
      expect.objectContaining({
        rule: 'exclusion.money-only',
        field: `exclusions[${base.exclusions.length}]`,
        provision: expect.stringContaining('Code 2.2'),
      }),
    ]);
    expect(rules(loadProfile('code-baseline'))).toEqual([]);
  });

  it('flags a referral time limit that is not 12 months from the final response', () => {
    const ombudsman = { ...base.ombudsman, referralTimeLimit: 'within 12 months of your original complaint' };
    expect(lintProfile({ ...base, ombudsman }).errors).toEqual([
      expect.objectContaining({
        rule: 'ombudsman.referral-time-limit',
        field: 'ombudsman.referralTimeLimit',
        found: '"within 12 months of your original complaint"',
        limit: '12 months from the final (stage 2) response',
      }),
    ]);
    const guidance = {
      ...base.ombudsman,
      referralGuidance: 'Contact them within twelve months of your complaint.',
    };
    expect(rules({ ...base, ombudsman: guidance })).toEqual(['wording.referral-time-limit']);
  });

  it('counts the referral limit from the final response, not merely mentioning it nearby', () => {
    const limit = (referralTimeLimit: string) =>
      rules({ ...base, ombudsman: { ...base.ombudsman, referralTimeLimit } });
    expect(limit('within 12 months of your complaint, after our final response')).toEqual([
      'ombudsman.referral-time-limit',
    ]);
    for (const good of [
      'within 12 months of our final response',
      'within twelve months from the final decision',
      'no later than 12 months after your final response',
    ]) {
      expect({ good, rules: limit(good) }).toEqual({ good, rules: [] });
    }
  });

  it('flags a resolution step before stage 1 and one between the stages', () => {
    const informalSteps = [
      { name: 'Put It Right', before: 'stage1' as const, description: 'Resolved within 24 hours' },
      { name: 'Outstanding concerns', before: 'stage2' as const, description: 'One more try first' },
    ];
    expect(lintProfile({ ...base, informalSteps }).errors).toEqual([
      expect.objectContaining({
        rule: 'informal-step.before-stage1',
        provision: expect.stringMatching(/^Code 5\.2/),
      }),
      expect.objectContaining({
        rule: 'informal-step.before-stage2',
        provision: expect.stringContaining('6.10'),
      }),
    ]);
  });

  it('flags a former-tenant window shorter than the 12 months Code 2.3 gives', () => {
    expect(rules({ ...base, formerTenantRaisingWindow: { amount: 6, unit: 'months' } })).toEqual([
      'former-tenant-window',
    ]);
    expect(rules({ ...base, formerTenantRaisingWindow: { amount: 12, unit: 'months' } })).toEqual([]);
  });

  it("flags guidance that residents can go to the Ombudsman without finishing the landlord's process", () => {
    const ombudsman = {
      ...base.ombudsman,
      referralGuidance:
        "At any point tenants may refer their complaint to the Housing Ombudsman without the need to exhaust the landlord's complaints process.",
    };
    expect(rules({ ...base, ombudsman })).toEqual(['wording.ombudsman-before-final-response']);
    // Contacting the Ombudsman for advice at any time is the Ombudsman's own position.
    expect(rules(loadProfile('amplius'))).toEqual([]);
  });

  it("checks the ombudsman's contact details against the ones it publishes", () => {
    const stale = {
      ...base.ombudsman,
      address: 'PO Box 152, Liverpool L33 7WQ',
      phone: '0300 111 3001',
      email: 'enquiries@housing-ombudsman.org.uk',
      website: 'https://www.housingombudsman.example',
    };
    const report = lintProfile({ ...base, ombudsman: stale });
    expect(report.errors.map((finding) => [finding.rule, finding.found])).toEqual([
      ['ombudsman.phone', '0300 111 3001'],
      ['ombudsman.email', 'enquiries@housing-ombudsman.org.uk'],
      ['ombudsman.website', 'https://www.housingombudsman.example'],
      ['ombudsman.address', 'PO Box 152, Liverpool L33 7WQ'],
    ]);
    expect(report.errors[3]?.limit).toContain('PO Box 1484, Unit D, Preston, PR2 0ET');
    // Formatting differences are not errors.
    const reformatted = {
      ...base.ombudsman,
      phone: '03001113000',
      website: 'https://housing-ombudsman.org.uk/',
      address: 'Housing Ombudsman Service\nPO Box 1484\nUnit D\nPreston\nPR2 0ET',
    };
    expect(rules({ ...base, ombudsman: reformatted })).toEqual([]);
    for (const website of [
      'www.housing-ombudsman.org.uk',
      'housing-ombudsman.org.uk/complaints',
      'WWW.Housing-Ombudsman.org.uk/',
    ]) {
      expect({ website, rules: rules({ ...base, ombudsman: { ...base.ombudsman, website } }) }).toEqual({
        website,
        rules: [],
      });
    }
    expect(
      rules({ ...base, ombudsman: { ...base.ombudsman, website: 'www.housingombudsman.example' } }),
    ).toEqual(['ombudsman.website']);
    // The SPSO's own details, not the Housing Ombudsman's, in Scotland.
    const spso = loadProfile('spso-example');
    expect(rules({ ...spso, ombudsman: { ...spso.ombudsman, phone: '0300 111 3000' } })).toEqual([
      'ombudsman.phone',
    ]);
  });
});

describe('profile schema', () => {
  it('explains every problem with a bad profile', () => {
    const raw = { ...baselineProfile(), id: 'Bad Id', homes: -1, calendar: { region: 'wales' } };
    expect(() => parseProfile(raw, 'test.json')).toThrow(ProfileError);
    expect(() => parseProfile(raw, 'test.json')).toThrow(
      /id: must be 3-27 lower-case.*\n.*homes.*\n.*calendar.region/s,
    );
  });

  it('validates informal steps, the former-tenant window and the SPSO escalation window', () => {
    const raw = {
      ...baselineProfile(),
      informalSteps: [{ name: 'Put It Right', before: 'stage0', description: 'x' }],
      formerTenantRaisingWindow: { amount: 0, unit: 'months' },
      escalationWindow: { amount: 2, unit: 'months', orAfterEvent: { amount: 6, unit: 'years' } },
    };
    expect(() => parseProfile(raw, 'test.json')).toThrow(
      /escalationWindow\.orAfterEvent\.unit.*\n.*informalSteps\.0\.before.*\n.*formerTenantRaisingWindow\.amount/s,
    );
  });

  it('keeps each kind of record 6 years after closure unless the profile says otherwise', () => {
    const { retention: _omitted, ...raw } = baselineProfile();
    expect(parseProfile(raw, 'test.json').retention).toEqual({
      case: 6,
      attachments: 6,
      letters: 6,
      rawEmail: 6,
    });
    const longer = parseProfile({ ...raw, retention: { case: 7, letters: 10 } }, 'test.json');
    expect(longer.retention).toEqual({ case: 7, attachments: 6, letters: 10, rawEmail: 6 });
    expect(longestRetentionYears(longer.retention)).toBe(10);
  });

  it('says what is wrong with a retention period', () => {
    const raw = {
      ...baselineProfile(),
      retention: { case: 0, attachments: 2.5, letters: '6', rawEmail: 6, emails: 3 },
    };
    expect(() => parseProfile(raw, 'test.json')).toThrow(
      /retention\.case: must be at least 1 year after closure\n.*retention\.attachments: must be a whole number of years after closure, e\.g\. 6\n.*retention\.letters: must be a number of years after closure, e\.g\. 6\n.*retention: Unrecognized key: "emails"/s,
    );
  });

  it('says which presets exist when the id is unknown', () => {
    expect(() => loadProfile('nope')).toThrow(/give a preset id \(amplius, code-baseline/);
  });
});
