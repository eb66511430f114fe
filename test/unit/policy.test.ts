import { describe, expect, it } from 'vitest';
import { lintProfile } from '#shared/policy/lint.ts';
import { listPresetIds, loadProfile, ProfileError, parseProfile } from '#shared/policy/load-profile.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
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
    // Stricter than the Code: the stage 1 clock runs from receipt.
    ['unnamed-ha-review-group', []],
    ['spso-example', []],
    // "agree an extended timeframe with you" sets no cap at either stage (seed 002 lines 23 and 35).
    ['unnamed-ha-service-recovery', ['stage1.extension', 'stage2.extension']],
    // Six months to complain, open-ended extensions, and the abolished designated person / eight-week wait.
    [
      'living-plus',
      [
        'stage1.extension',
        'stage2.extension',
        'raising-window',
        'wording.designated-person',
        'wording.eight-week-wait',
      ],
    ],
  ])('%s: the linter finds %j', (id, expected) => {
    expect(rules(loadProfile(id))).toEqual(expected);
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

  it('the seed with six months, a designated person and an eight-week wait passes only once every departure is explained', () => {
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
    expect(report.explained.map((departure) => departure.reason)).toHaveLength(5);
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

describe('profile schema', () => {
  it('explains every problem with a bad profile', () => {
    const raw = { ...baselineProfile(), id: 'Bad Id', homes: -1, calendar: { region: 'wales' } };
    expect(() => parseProfile(raw, 'test.json')).toThrow(ProfileError);
    expect(() => parseProfile(raw, 'test.json')).toThrow(
      /id: must be 3-27 lower-case.*\n.*homes.*\n.*calendar.region/s,
    );
  });

  it('says which presets exist when the id is unknown', () => {
    expect(() => loadProfile('nope')).toThrow(/give a preset id \(amplius, code-baseline/);
  });
});
