import { describe, expect, it } from 'vitest';
import type { CaseState } from '#shared/domain/case.ts';
import {
  type CaseFacts,
  caseFacts,
  caseFactsFromEvents,
  factMonths,
} from '#shared/domain/reporting/facts.ts';

const factMonthsOf = (state: CaseState) => factMonths(caseFacts(state));

import { applyCaseEvent, type CaseEvent, caseContext, foldCase } from '#shared/domain/case.ts';
import { annualReportContent } from '#shared/domain/reporting/annual.ts';
import {
  checkPeriod,
  figuresFromTally,
  financialYear,
  mergeTallies,
  monthPeriod,
  periodMonths,
  reportFigures,
  tallyFacts,
  wholeMonths,
} from '#shared/domain/reporting/figures.ts';
import { monthTallies, refreshReportMonths, staffReport } from '#shared/usecases/report.ts';
import { InMemoryCaseRepository } from '../support/fakes/case-repository.ts';
import { baselineContext, baselineProfile, handler, received, stageResponse } from '../support/fixtures.ts';
import { period, populations } from '../support/report-population.ts';

const profile = baselineProfile();
const ctx = baselineContext();

function population(): CaseFacts[] {
  return Object.entries(populations).map(([reference, events]) =>
    caseFactsFromEvents(reference.toLowerCase(), events, ctx),
  );
}

describe('reporting figures for a known population (financial year 2026-27)', () => {
  const report = reportFigures(profile, period, population());
  const { figures } = report;

  it('counts a missed deadline against its original date, whatever new date the resident was then promised', () => {
    // The breaches as the workflow now records them: with the new date the apology letter gave. H's stage 1
    // response (due 17 April) went out on 24 April, inside the promise, and is still late.
    const promised: Record<string, string> = { '2026-06-08T23:59:59.999+01:00': '2026-06-15' };
    const withPromises = Object.entries(populations).map(([reference, events]) =>
      caseFactsFromEvents(
        reference.toLowerCase(),
        events.map((event) =>
          event.type === 'deadline-breached' && !event.actionId
            ? { ...event, newDueDate: promised[event.dueAt] ?? '2026-04-24' }
            : event,
        ),
        ctx,
      ),
    );
    expect(withPromises).toEqual(population());
    expect(reportFigures(profile, period, withPromises).figures).toEqual(figures);
    expect(figures.tsm.CH02_1).toEqual({ value: (1 / 3) * 100, numerator: 1, denominator: 3 });
  });

  it('counts the TSM figures by the definitions: receipt instants in London, responses against the timescale', () => {
    expect(figures.period).toEqual(period);
    expect(figures.homes).toBe(5000);
    // Stage 1 received: A, B, C (withdrawn later), F = 4; stage 2: A = 1. Per 1,000 of 5,000 homes.
    expect(figures.tsm.CH01_1).toEqual({ value: (4 / 5000) * 1000, numerator: 4, denominator: 5000 });
    expect(figures.tsm.CH01_2).toEqual({ value: (1 / 5000) * 1000, numerator: 1, denominator: 5000 });
    // Stage 1 responses in the year: A (in time), B (late, in time with extension), H (late) = 1/3 and 2/3.
    expect(figures.tsm.CH02_1).toEqual({ value: (1 / 3) * 100, numerator: 1, denominator: 3 });
    expect(figures.tsm.CH02_1_withExtensions).toEqual({ value: (2 / 3) * 100, numerator: 2, denominator: 3 });
    // Stage 2: A, late by its original date, in time with its extension.
    expect(figures.tsm.CH02_2).toEqual({ value: 0, numerator: 0, denominator: 1 });
    expect(figures.tsm.CH02_2_withExtensions).toEqual({ value: 100, numerator: 1, denominator: 1 });
  });

  it('counts volumes, outcomes and the cases that are not complaints', () => {
    expect(figures.counts).toEqual({
      stage1Received: 4,
      stage2Received: 1,
      stage1Responded: 3,
      stage2Responded: 1,
      notAccepted: 1,
      serviceRequests: 1,
      withdrawn: 1,
      byChannel: { web: 1, email: 1, phone: 1, letter: 0, 'in-person': 1, 'social-media': 0 },
      // A and B repairs, C damp and mould, F none recorded (G is next year's, H last year's).
      byCategory: {
        ...Object.fromEntries(profile.learning.themes.map((theme) => [theme, 0])),
        'Repairs and maintenance': 2,
        'Damp and mould': 1,
        notCategorised: 1,
      },
      byOutcome: {
        stage1: { upheld: 2, partlyUpheld: 0, notUpheld: 1 },
        stage2: { upheld: 0, partlyUpheld: 1, notUpheld: 0 },
      },
    });
    expect(figures.notAcceptedByReason).toEqual({ 'legal-proceedings': 1 });
    // Of the 3 stage 1 responses, A was escalated.
    expect(figures.escalated).toEqual({ value: (1 / 3) * 100, numerator: 1, denominator: 3 });
    expect(figures.upheld.stage1).toEqual({ value: (2 / 3) * 100, numerator: 2, denominator: 3 });
    // Stage 1: A and H upheld, B not upheld, none partly: 2 of 3 upheld or partly upheld.
    expect(figures.upheldOrPartlyUpheld.stage1).toEqual({
      value: (2 / 3) * 100,
      numerator: 2,
      denominator: 3,
    });
    expect(figures.upheld.stage2).toEqual({ value: 0, numerator: 0, denominator: 1 });
    expect(figures.upheldOrPartlyUpheld.stage2).toEqual({ value: 100, numerator: 1, denominator: 1 });
  });

  it('measures working days to acknowledge and respond, with the median and 90th percentile', () => {
    // Stage 1 acknowledgements in the year: A 1, B 5, C 6, H 1 -> sorted 1, 1, 5, 6: median (1 + 5) / 2 = 3,
    // 90th percentile the ceil(0.9 x 4) = 4th value, 6. Within 5: A, B, H = 3 of 4.
    expect(figures.workingDays.stage1.toAcknowledge).toEqual({ count: 4, median: 3, p90: 6 });
    expect(figures.acknowledgedWithin5WorkingDays.stage1).toEqual({
      value: 75,
      numerator: 3,
      denominator: 4,
    });
    // Stage 1 responses: A 10, B 14, H 15 -> median 14, 90th percentile the 3rd value, 15.
    expect(figures.workingDays.stage1.toRespond).toEqual({ count: 3, median: 14, p90: 15 });
    expect(figures.workingDays.stage2).toEqual({
      toAcknowledge: { count: 1, median: 2, p90: 2 },
      toRespond: { count: 1, median: 28, p90: 28 },
    });
    expect(figures.acknowledgedWithin5WorkingDays.stage2).toEqual({
      value: 100,
      numerator: 1,
      denominator: 1,
    });
  });

  it('counts breaches, extensions, remedies, actions, referrals and satisfaction, and says what is not recorded', () => {
    expect(figures.breaches).toEqual({
      total: 2,
      byStep: { 'stage1-acknowledgement': 1, 'stage1-response': 1 },
    });
    expect(figures.extensions).toEqual({
      stage1: { total: 1, byReason: { 'Waiting for information from a third party': 1 } },
      stage2: { total: 1, byReason: { 'Complex complaint needing specialist input': 1 } },
    });
    // Remedies in responses issued in the year: A stage 1 £50, A stage 2 an apology, H £100 (B: none).
    expect(figures.remedies.offered).toEqual({
      responses: 3,
      financial: 2,
      nonFinancial: 1,
      compensationPounds: 150,
    });
    // Paid in the year: A's £50 (15 June), H's repair (20 May) and £100 (21 May).
    expect(figures.remedies.paid).toEqual({
      payments: 3,
      financial: 2,
      nonFinancial: 1,
      compensationPounds: 150,
    });
    // Promised: B's A1 (5 Nov) and H's S1-1 (24 Apr); both due in the year; A1 on time, S1-1 late.
    expect(figures.actions).toEqual({ promised: 2, dueInPeriod: 2, completedOnTime: 1, overdue: 1 });
    expect(figures.ombudsman.referrals).toBe(1);
    // A: maladministration found on 1 September.
    expect(figures.ombudsman.outcomes).toEqual({
      'severe-maladministration': 0,
      maladministration: 1,
      'service-failure': 0,
      'reasonable-redress': 0,
      'no-maladministration': 0,
      'outside-jurisdiction': 0,
      'withdrawn-or-resolved': 0,
    });
    // B's stage 2 request of 11 January, out of time.
    expect(figures.escalationRefusals).toEqual({ total: 1, byReason: { 'out-of-time': 1 } });
    // Asked after the response: A fairly satisfied (20 June), H very dissatisfied (25 May); B closed satisfied.
    expect(figures.satisfaction).toEqual({
      satisfied: { value: 50, numerator: 1, denominator: 2 },
      byAnswer: {
        'very-satisfied': 0,
        'fairly-satisfied': 1,
        neither: 0,
        'fairly-dissatisfied': 0,
        'very-dissatisfied': 1,
      },
      residentSatisfiedAtClosure: 1,
    });
  });

  it('lists the cases behind each figure', () => {
    expect(report.explain('CH02_1')).toEqual({
      figure: 'CH02_1',
      cases: ['CMP-A', 'CMP-B', 'CMP-H'],
      numerator: ['CMP-A'],
    });
    expect(report.explain('CH02_1_withExtensions')?.numerator).toEqual(['CMP-A', 'CMP-B']);
    expect(report.explain('CH01_1')?.cases).toEqual(['CMP-A', 'CMP-B', 'CMP-C', 'CMP-F']);
    expect(report.explain('counts.withdrawn')?.cases).toEqual(['CMP-C']);
    expect(report.explain('actions.overdue')?.cases).toEqual(['CMP-H#S1-1']);
    expect(report.explain('counts.byCategory.Repairs and maintenance')?.cases).toEqual(['CMP-A', 'CMP-B']);
    expect(report.explain('counts.byCategory.notCategorised')?.cases).toEqual(['CMP-F']);
    expect(report.explain('remedies.paid.financial')?.cases).toEqual(['CMP-A', 'CMP-H']);
    expect(report.explain('ombudsman.outcomes.maladministration')?.cases).toEqual(['CMP-A']);
    // A figure nothing counted towards is explained as no cases; an unknown one is not a figure.
    expect(report.explain('counts.byChannel.letter')).toEqual({
      figure: 'counts.byChannel.letter',
      cases: [],
    });
    expect(report.explain('no.such.figure')).toBeUndefined();
    expect(report.explainable()).toContain('CH02_2_withExtensions');
    // The working days' statistics are explained by the acknowledgements or responses measured.
    expect(report.explain('workingDays.stage1.toAcknowledge')?.cases).toEqual([
      'CMP-A',
      'CMP-B',
      'CMP-C',
      'CMP-H',
    ]);
    expect(report.explainable()).toContain('workingDays.stage2.toRespond');
  });

  it('counts nothing twice or from outside the period when the year is narrowed to a month', () => {
    const april = reportFigures(profile, { from: '2026-04-01', to: '2026-04-30' }, population()).figures;
    // Received in April: A only (H was 31 March, London time). Responses: A (20th) and H (24th).
    expect(april.counts.stage1Received).toBe(1);
    expect(april.counts.stage1Responded).toBe(2);
    expect(april.counts.stage2Received).toBe(1);
    expect(april.counts.stage2Responded).toBe(0);
    // H's action is due in May: promised in April, not due in it.
    expect(april.actions).toEqual({ promised: 1, dueInPeriod: 0, completedOnTime: 0, overdue: 0 });
  });
});

describe("CH02 by the Code's timescales, whatever the landlord's own clock", () => {
  it('counts a stage 1 response 9 working days after the acknowledgement in time, though 13 after receipt', () => {
    // A landlord whose stage 1 clock starts at receipt (as unnamed-ha-review-group's policy does): its staff are
    // held to 10 working days from receipt, but TSM CH02 is measured by the Code's 10 from the acknowledgement.
    const [stage1, stage2] = profile.stages;
    const fromReceipt = baselineProfile({
      stages: [
        { ...(stage1 as NonNullable<typeof stage1>), responseClockStartsAt: 'receipt' },
        stage2 as NonNullable<typeof stage2>,
      ],
    });
    const context = caseContext(fromReceipt);
    // Received Monday 1 June 2026, acknowledged Friday 5 June, answered Thursday 18 June: 13 working days after
    // receipt (2-5, 8-12, 15-18 June), 9 after the acknowledgement (8-12, 15-18 June).
    const events: CaseEvent[] = [
      received('2026-06-01T09:00:00+01:00'),
      { type: 'triaged', at: '2026-06-01T10:00:00+01:00', by: handler, outcome: 'complaint' },
      {
        type: 'acknowledged',
        stage: 1,
        at: '2026-06-05T10:00:00+01:00',
        by: handler,
        definition: 'The fence',
        outcomesSought: ['Fix it'],
      },
      {
        type: 'response-issued',
        stage: 1,
        at: '2026-06-18T15:00:00+01:00',
        by: handler,
        letter: stageResponse(fromReceipt, 1),
      },
    ];
    // The landlord's own due date was 15 June: late by its policy.
    expect(foldCase('clock', events.slice(0, 3), context).stage1.response?.dueDate).toBe('2026-06-15');
    const { figures } = reportFigures(fromReceipt, period, [caseFactsFromEvents('clock', events, context)]);
    expect(figures.tsm.CH02_1).toEqual({ value: 100, numerator: 1, denominator: 1 });
    expect(figures.workingDays.stage1.toRespond).toMatchObject({ count: 1, median: 9 });
  });
});

describe('the figures from month tallies (what the annual report adds up instead of reading every case)', () => {
  const months = periodMonths(period);
  const tallies = new Map(
    months.map((month) => [month, tallyFacts(profile, monthPeriod(month), population())]),
  );

  it("gives exactly the year's figures when the year's months are added up", () => {
    const fromMonths = figuresFromTally(profile, period, mergeTallies(tallies.values()));
    expect(fromMonths).toEqual(reportFigures(profile, period, population()).figures);
    // A quarter too (A's stage 2 starts in April, after its stage 1 response: escalated within the quarter).
    const quarter = { from: '2026-04-01', to: '2026-06-30' };
    expect(
      figuresFromTally(
        profile,
        quarter,
        mergeTallies(months.slice(0, 3).flatMap((m) => tallies.get(m) ?? [])),
      ),
    ).toEqual(reportFigures(profile, quarter, population()).figures);
  });

  it("counts each month's complaints received in the annual report from that month's tally", () => {
    const content = annualReportContent({
      profile,
      year: '2026',
      months: tallies,
      improvements: [],
      answers: {},
      governingBodyResponse: '',
    });
    expect(content.figures).toEqual(reportFigures(profile, period, population()).figures);
    for (const { month, stage1, stage2 } of content.monthly) {
      const alone = reportFigures(profile, monthPeriod(month), population()).figures.counts;
      expect({ month, stage1, stage2 }).toEqual({
        month,
        stage1: alone.stage1Received,
        stage2: alone.stage2Received,
      });
    }
    // A in April, C in June, B on 25 October (00:30 BST) and F on 31 March (23:30 BST, from 28 March 2027).
    expect(content.monthly.map((m) => m.stage1)).toEqual([1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('knows which periods are whole London months', () => {
    expect(wholeMonths(period)).toBe(true);
    expect(wholeMonths({ from: '2027-02-01', to: '2027-02-28' })).toBe(true);
    expect(wholeMonths({ from: '2026-04-01', to: '2026-04-29' })).toBe(false);
    expect(wholeMonths({ from: '2026-04-02', to: '2026-04-30' })).toBe(false);
  });

  it('caches each month, and rebuilds only the months a changed case dates anything in', async () => {
    const repository = new InMemoryCaseRepository();
    const deps = { repository, context: ctx, clock: { now: () => new Date('2027-04-02T09:00:00Z') } };
    const noLookups = { contacts: [], names: [] };
    for (const [reference, events] of Object.entries(populations)) {
      const state = foldCase(reference.toLowerCase(), events.slice(0, -1), ctx);
      await repository.saveProjection({ ...state, reference }, noLookups);
    }
    const first = await monthTallies(deps, months);
    expect(first.rebuilt).toEqual(months);
    expect((await monthTallies(deps, months)).rebuilt).toEqual([]);
    // Every case gets its last event: only the months their facts date anything in are read again.
    const touched = new Set<string>();
    for (const [reference, events] of Object.entries(populations)) {
      const state = { ...foldCase(reference.toLowerCase(), events, ctx), reference };
      await repository.saveProjection(state, noLookups);
      for (const month of factMonthsOf(state)) touched.add(month);
    }
    const again = await monthTallies(deps, months);
    expect(again.rebuilt).toEqual(months.filter((month) => touched.has(month)));
    expect(again.rebuilt.length).toBeLessThan(months.length);
    // And the figures are the population's, exactly, whether each month was cached or rebuilt.
    const { figures } = await staffReport(deps, 'manager', period);
    expect(figures).toEqual(reportFigures(profile, period, population()).figures);
  });
});

describe("the daily run's build of closed months (so the annual report never reads a closed month cold)", () => {
  const months = periodMonths(period);
  const noLookups = { contacts: [], names: [] };
  async function stored(now: string) {
    const repository = new InMemoryCaseRepository();
    const deps = { repository, context: ctx, clock: { now: () => new Date(now) } };
    for (const [reference, events] of Object.entries(populations)) {
      await repository.saveProjection(
        { ...foldCase(reference.toLowerCase(), events, ctx), reference },
        noLookups,
      );
    }
    return deps;
  }

  it('builds the missing closed months newest first, at most its bound a run, until the year reads no case', async () => {
    // 2 April 2027: April is the current month, and every month of 2026-27 (the year before) is closed.
    const deps = await stored('2027-04-02T07:30:00Z');
    const first = await refreshReportMonths(deps, 5);
    expect(first.built).toEqual(['2027-03', '2027-02', '2027-01', '2026-12', '2026-11']);
    expect(first.months).toBe(12);
    expect(first.left).toHaveLength(7);
    const second = await refreshReportMonths(deps, 5);
    expect(second.built).toEqual(['2026-10', '2026-09', '2026-08', '2026-07', '2026-06']);
    while ((await refreshReportMonths(deps, 5)).left.length > 0);
    expect((await refreshReportMonths(deps, 5)).built).toEqual([]);
    // The year's report reads only the cached months: no case's facts, and the same figures.
    const report = await staffReport(deps, 'manager', period);
    expect(report.casesRead).toBe(0);
    expect(report.figures).toEqual(reportFigures(profile, period, population()).figures);
    expect((await monthTallies(deps, months)).rebuilt).toEqual([]);
  });

  it('rebuilds a closed month whose facts changed, and never the current month', async () => {
    // 10 December 2026: December is the current month; April 2025 to November 2026 are closed (this financial
    // year's and the year before's), twenty months: twelve the first run, eight the next.
    const deps = await stored('2026-12-10T07:30:00Z');
    const first = await refreshReportMonths(deps);
    expect(first.built).toEqual(periodMonths({ from: '2025-12-01', to: '2026-11-30' }).reverse());
    expect(first.left).toEqual(periodMonths({ from: '2025-04-01', to: '2025-11-30' }).reverse());
    expect((await refreshReportMonths(deps)).built).toEqual(first.left);
    expect((await refreshReportMonths(deps)).built).toEqual([]);
    // A case saved again (a note on A): the months its facts date anything in are stale, and only the closed
    // ones are built the next day.
    const [reference, events] = Object.entries(populations)[0] ?? ['', []];
    const noted = foldCase(reference.toLowerCase(), events, ctx);
    const at = '2026-12-09T10:00:00.000Z';
    await deps.repository.saveProjection(
      { ...applyCaseEvent(noted, { type: 'note-added', at, by: handler, text: 'Checked' }, ctx), reference },
      noLookups,
    );
    const touched = factMonthsOf(noted).filter((month) => month < '2026-12');
    expect(touched.length).toBeGreaterThan(0);
    expect((await refreshReportMonths(deps)).built.sort()).toEqual(touched.sort());
  });
});

describe('report periods', () => {
  it('defaults to the financial year a date falls in', () => {
    expect(financialYear('2027-03-31')).toEqual({ from: '2026-04-01', to: '2027-03-31' });
    expect(financialYear('2026-04-01')).toEqual({ from: '2026-04-01', to: '2027-03-31' });
  });

  it('refuses bad dates, a reversed period and one over two years, saying what to do', () => {
    expect(() => checkPeriod({ from: '2026-02-30', to: '2026-03-01' })).toThrow(
      /"from" must be a date YYYY-MM-DD/,
    );
    expect(() => checkPeriod({ from: '2026-05-01', to: '2026-04-01' })).toThrow(/must be on or before/);
    expect(() => checkPeriod({ from: '2024-04-01', to: '2026-04-02' })).toThrow(/longer than two years/);
    expect(checkPeriod({ from: '2024-04-01', to: '2026-03-31' })).toEqual({
      from: '2024-04-01',
      to: '2026-03-31',
    });
  });

  it('lists the months a period touches, and the months a case has facts in', () => {
    expect(periodMonths({ from: '2026-11-15', to: '2027-02-01' })).toEqual([
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
    const [a] = population();
    // A: received 1 April (London), responded 20 April and 10 June, stage 2 in April-June, paid 15 June,
    // referral 1 July, the Ombudsman's outcome 1 September.
    expect(factMonths(a as CaseFacts)).toEqual(['2026-04', '2026-05', '2026-06', '2026-07', '2026-09']);
  });
});
