import { describe, expect, it } from 'vitest';
import { type CaseEvent, type CaseState, caseContext, foldCase } from '#shared/domain/case.ts';
import {
  RESIDENT_TEMPLATES,
  type ResidentTemplate,
  STAFF_ALERTS,
  templateFor,
} from '#shared/domain/correspondence.ts';
import {
  defaultEscalationRoute,
  defaultNonAcceptanceRoute,
  stageResponseProblems,
} from '#shared/domain/letters.ts';
import { escapeHtml, type RenderedMessage } from '#shared/notifications/document.ts';
import {
  type ResidentMessageInput,
  renderPostalLetter,
  renderResidentMessage,
  renderStaffAlert,
} from '#shared/notifications/templates.ts';
import { formatCivilDate, formatLondonInstant } from '#shared/notifications/words.ts';
import { lintProfile } from '#shared/policy/lint.ts';
import { listPresetIds, loadProfile } from '#shared/policy/load-profile.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { handler, resident, reviewer, stageResponse } from '../support/fixtures.ts';

const HOSTILE_NAME = `<script>alert(1)</script> "Zoë" O'Brien-Ünïcödé 🏠`;
const LONG_TEXT = `${'The boiler <img src=x onerror=alert(1)> has failed again & again. '.repeat(300)}The end.`;
const CASE_LINK = 'https://complaints.example.org/case/c-1?sig=abc123&exp=1773100000';

const base = loadProfile('code-baseline');
/** Distinct values for every field a letter must carry, some of them needing HTML escaping. */
const profile: ProviderProfile = {
  ...base,
  name: 'Baseline & "Partners" Homes',
  contact: {
    name: 'Resident <Complaints> Team',
    phone: '01632 960999',
    email: 'talk-to-us@code-baseline.example.org',
    website: 'https://www.code-baseline.example.org/complaints?a=1&b=2',
  },
  letters: {
    senderName: 'The Complaints Desk',
    senderEmail: 'complaints@code-baseline.example.org',
    signature: "Jo O'Neill\nHead of Resident Experience",
  },
};
const ctx = caseContext(profile);
const windowedCtx = caseContext({ ...profile, escalationWindow: { amount: 20, unit: 'working-days' } });

function receivedEvent(complainant: Partial<Extract<CaseEvent, { type: 'received' }>['complainant']> = {}) {
  return {
    type: 'received',
    at: '2026-03-02T10:00:00Z',
    by: resident,
    reference: 'CMP-2026-000001',
    channel: 'web',
    complainant: {
      name: HOSTILE_NAME,
      email: 'ada@example.com',
      preferredContact: 'email',
      ...complainant,
    },
    complaint: { whatHappened: LONG_TEXT, outcomeWanted: 'Fix it <b>properly</b>' },
  } satisfies CaseEvent;
}

const receipt: CaseEvent = receivedEvent();
const triage: CaseEvent = { type: 'triaged', at: '2026-03-02T11:00:00Z', by: handler, outcome: 'complaint' };
const acknowledge1: CaseEvent = {
  type: 'acknowledged',
  at: '2026-03-04T09:00:00Z',
  by: handler,
  stage: 1,
  definition: 'Delay repairing the boiler <at> "Flat 3"',
  outcomesSought: ['Repair the boiler', 'An apology & compensation'],
};
const extensionReason = profile.stages[0]?.extension.allowedReasons[0] ?? '';
const extend: CaseEvent = {
  type: 'extension-granted',
  at: '2026-03-05T09:00:00Z',
  by: handler,
  stage: 1,
  workingDays: 4,
  reason: extensionReason,
  explanation: 'We need a Gas Safe <engineer> to inspect the flue.',
};
const respond1: CaseEvent = {
  type: 'response-issued',
  at: '2026-03-10T09:00:00Z',
  by: handler,
  stage: 1,
  letter: stageResponse(profile, 1, {
    complaintDefinition: 'Delay repairing the boiler <at> "Flat 3"',
    decision: 'partly-upheld',
    reasons: 'The repair was booked late; the parts delay was outside our control.',
    outstandingActions: [
      { description: 'Replace the <flue>', owner: 'Repairs & Maintenance', dueDate: '2026-04-30' },
    ],
  }),
};
const escalate: CaseEvent = {
  type: 'escalation-requested',
  at: '2026-03-12T09:00:00Z',
  by: resident,
  reason: 'The £50 does not cover my <heating> costs',
};
const acknowledge2: CaseEvent = {
  type: 'acknowledged',
  at: '2026-03-13T09:00:00Z',
  by: reviewer,
  stage: 2,
  definition: 'The stage 1 remedy for the boiler delay',
  outcomesSought: ['More compensation'],
};
const respond2: CaseEvent = {
  type: 'response-issued',
  at: '2026-03-20T09:00:00Z',
  by: reviewer,
  stage: 2,
  letter: stageResponse(profile, 2, {
    complaintDefinition: 'The stage 1 remedy for the boiler delay',
    decision: 'not-upheld',
    reasons: 'The £50 reflects the time and trouble caused.',
    remedy: 'none',
    outstandingActions: 'none',
  }),
};
const refusal: CaseEvent = {
  type: 'triaged',
  at: '2026-03-02T11:00:00Z',
  by: handler,
  outcome: 'not-accepted',
  exclusionCode: 'legal-proceedings',
  rationale: 'A claim about the boiler was filed at court on 1 February.',
  ombudsmanRoute: defaultNonAcceptanceRoute(profile),
  legalProceedings: { court: 'County Court at Leeds', claimNumber: 'K00LS123', filedOn: '2026-02-01' },
};
const serviceRequest: CaseEvent = {
  type: 'triaged',
  at: '2026-03-02T11:00:00Z',
  by: handler,
  outcome: 'service-request',
  notes: 'An engineer will repair the boiler on Thursday 5 March.',
};
const withdraw: CaseEvent = {
  type: 'withdrawn',
  at: '2026-03-03T09:00:00Z',
  by: resident,
  reason: 'It has been fixed',
};
const respond1Simple: CaseEvent = {
  ...respond1,
  letter: stageResponse(profile, 1, { outstandingActions: 'none' }),
} as CaseEvent;
const closeResolved: CaseEvent = {
  type: 'closed',
  at: '2026-03-11T09:00:00Z',
  by: handler,
  reason: 'resolved-at-stage-1',
  residentSatisfied: 'Phoned on 11 March: happy with the repair.',
};

function input(template: ResidentTemplate, events: CaseEvent[], context = ctx): ResidentMessageInput {
  const state = foldCase('case-1', events, context);
  const event = events.at(-1);
  if (!event) throw new Error('no events');
  return { template, state, event, profile: context.profile, caseLink: CASE_LINK };
}

const responseMissed: CaseEvent = {
  type: 'deadline-breached',
  at: '2026-03-19T00:00:00Z',
  by: { kind: 'system', id: 'workflow' },
  step: 'stage1-response',
  dueAt: '2026-03-18T23:59:59.999Z',
  newDueDate: '2026-03-25',
};

const dateMoved: CaseEvent = {
  type: 'deadlines-recalculated',
  at: '2026-03-05T12:00:00Z',
  by: { kind: 'system', id: 'profile-change' },
  step: 'stage1-response',
  oldDueDate: '2026-03-18',
  newDueDate: '2026-03-19',
  direction: 'later',
  reason:
    'Wednesday 11 March 2026 is now a bank holiday (The <Coronation> & more), so it is not a working day.',
};

const scenarios: Record<ResidentTemplate, CaseEvent[]> = {
  'complaint-received': [receipt],
  'not-accepted': [receipt, refusal],
  'service-request': [receipt, serviceRequest],
  'stage1-acknowledgement': [receipt, triage, acknowledge1],
  'extension-notice': [receipt, triage, acknowledge1, extend],
  'stage1-response': [receipt, triage, acknowledge1, extend, respond1],
  'stage2-acknowledgement': [receipt, triage, acknowledge1, respond1, escalate, acknowledge2],
  'final-response': [receipt, triage, acknowledge1, respond1Simple, escalate, acknowledge2, respond2],
  'withdrawal-confirmed': [receipt, triage, withdraw],
  'case-closed': [receipt, triage, acknowledge1, respond1Simple, closeResolved],
  'deadline-missed': [receipt, triage, acknowledge1, responseMissed],
  'due-date-moved': [receipt, triage, acknowledge1, dateMoved],
};

function renderAll(make = (template: ResidentTemplate) => input(template, scenarios[template])) {
  return RESIDENT_TEMPLATES.map((template) => ({ template, message: renderResidentMessage(make(template)) }));
}

/** The value appears in the text as is and in the HTML escaped (line by line: HTML breaks lines with <br>). */
function expectInBoth(message: RenderedMessage, value: string): void {
  expect(message.text).toContain(value);
  for (const line of value.split(/\r?\n/)) expect(message.html).toContain(escapeHtml(line));
}

const { ombudsman } = profile;

describe('date formatting', () => {
  it('formats civil dates with the weekday, whatever the server time zone', () => {
    expect(process.env.TZ).toBe('America/New_York');
    expect(formatCivilDate('2026-03-10')).toBe('Tuesday 10 March 2026');
    expect(formatCivilDate('2026-01-01')).toBe('Thursday 1 January 2026');
    expect(formatCivilDate('2026-03-10', { weekday: false })).toBe('10 March 2026');
    expect(() => formatCivilDate('2026-02-30')).toThrow(/not a real calendar date/);
  });

  it('formats instants as London wall-clock time in GMT and BST', () => {
    expect(formatLondonInstant('2026-03-10T23:59:59.999Z')).toBe('Tuesday 10 March 2026 at 23:59');
    expect(formatLondonInstant('2026-07-01T22:59:59.999Z')).toBe('Wednesday 1 July 2026 at 23:59');
    expect(formatLondonInstant('2026-07-01T23:30:00Z')).toBe('Thursday 2 July 2026 at 00:30');
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml('Ünïcödé 🏠 £50')).toBe('Ünïcödé 🏠 £50');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});

describe('resident letters: what every letter carries', () => {
  for (const { template, message } of renderAll()) {
    it(`${template}: landlord, reference, case link, contact details, greeting and signature`, () => {
      expectInBoth(message, profile.name);
      expectInBoth(message, 'CMP-2026-000001');
      expectInBoth(message, CASE_LINK);
      expect(message.html).toContain(`<a href="${escapeHtml(CASE_LINK)}">`);
      expectInBoth(message, profile.letters.signature);
      expectInBoth(message, profile.letters.senderName);
      expectInBoth(message, profile.contact.phone ?? 'missing');
      expectInBoth(message, profile.contact.email ?? 'missing');
      expectInBoth(message, `Dear ${HOSTILE_NAME},`);
      expect(message.subject).toContain('CMP-2026-000001');
      expect(message.subject).not.toMatch(/[\r\n]/);
      expect(message.html).toMatch(/^<!DOCTYPE html>\n<html lang="en-GB">/);
      expect(message.text.trim().length).toBeGreaterThan(0);
    });

    it(`${template}: never mentions a designated person or an eight-week wait`, () => {
      for (const output of [message.subject, message.text, message.html]) {
        expect(output).not.toMatch(/designated\s+person/i);
        expect(output).not.toMatch(/\b(8|eight)[\s-]+weeks?\b/i);
      }
    });

    it(`${template}: escapes hostile input in HTML`, () => {
      expect(message.html).not.toMatch(/<script/i);
      expect(message.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(message.html).toContain('&quot;Zoë&quot; O&#39;Brien-Ünïcödé 🏠');
      expect(message.html).not.toContain('<Complaints>');
      expect(message.html).toContain('Resident &lt;Complaints&gt; Team');
      expect(message.text).toContain('<script>alert(1)</script>');
    });
  }
});

describe('resident letters: what each letter says', () => {
  const render = (template: ResidentTemplate, events = scenarios[template]) =>
    renderResidentMessage(input(template, events));

  it('complaint-received confirms receipt, stage 1 and the acknowledgement date', () => {
    const message = render('complaint-received');
    expectInBoth(message, 'We have received your complaint');
    expectInBoth(message, 'logged it at stage 1 of our complaints process');
    expectInBoth(message, 'by Monday 9 March 2026');
    expectInBoth(message, 'Monday 2 March 2026 at 10:00');
    // The resident's own words, long and hostile, come back to them escaped.
    expectInBoth(message, LONG_TEXT);
    expect(message.html).not.toContain('<img');
    expectInBoth(message, 'Fix it <b>properly</b>');
    expectInBoth(message, ombudsman.name);
  });

  it('deadline-missed apologises, gives the missed and the new date, and the right to go to the Ombudsman now', () => {
    const message = render('deadline-missed');
    expect(message.subject).toMatch(/^We are sorry: our stage 1 response is late/);
    expectInBoth(message, 'We are sorry.');
    expectInBoth(message, 'we apologise');
    expectInBoth(message, 'by Wednesday 18 March 2026, and we have not kept to that date');
    expectInBoth(message, 'You will have our stage 1 response by Wednesday 25 March 2026.');
    expectInBoth(message, `you can contact the ${ombudsman.name} now`);
    expectInBoth(message, ombudsman.phone ?? 'missing');
    expectInBoth(message, ombudsman.email ?? 'missing');
    expectInBoth(message, ombudsman.website ?? 'missing');
    // An acknowledgement missed is named as such.
    const ackMissed: CaseEvent = {
      ...responseMissed,
      step: 'stage1-acknowledgement',
      dueAt: '2026-03-09T23:59:59.999Z',
      at: '2026-03-10T00:00:00Z',
      newDueDate: '2026-03-16',
    };
    const ack = render('deadline-missed', [receipt, triage, ackMissed]);
    expectInBoth(ack, 'You will have our acknowledgement of your complaint by Monday 16 March 2026.');
    // An outstanding action's missed date is staff business: it owes the resident no such letter.
    const { newDueDate: _none, ...actionBreach } = {
      ...responseMissed,
      step: 'outstanding-actions' as const,
    };
    expect(() => render('deadline-missed', [receipt, triage, acknowledge1, actionBreach])).toThrow(
      /new date/,
    );
  });

  it('due-date-moved gives the date given, the new date, why it moved and the Ombudsman (Code 6.4, 6.5)', () => {
    const message = render('due-date-moved');
    expect(message.subject).toMatch(/^The date you will hear from us has changed/);
    expectInBoth(
      message,
      'We told you that you would have our stage 1 response by Wednesday 18 March 2026. You will now have it by Thursday 19 March 2026.',
    );
    expectInBoth(message, 'Why the date has changed');
    expectInBoth(message, 'is now a bank holiday (The <Coronation> & more), so it is not a working day.');
    expect(message.html).not.toContain('<Coronation>');
    expectInBoth(message, ombudsman.phone ?? 'missing');
    expectInBoth(message, ombudsman.email ?? 'missing');
    expectInBoth(message, ombudsman.website ?? 'missing');
    // The stage 2 window moved later gives the resident longer to ask.
    const respondedEvents = [receipt, triage, acknowledge1, respond1Simple];
    const windowEnd = foldCase('case-1', respondedEvents, windowedCtx).escalationWindow?.dueDate ?? 'missing';
    const windowMoved: CaseEvent = {
      ...dateMoved,
      at: '2026-03-12T12:00:00Z',
      step: 'escalation-window',
      oldDueDate: windowEnd,
      newDueDate: '2026-12-31',
    };
    const window = renderResidentMessage(
      input('due-date-moved', [...respondedEvents, windowMoved], windowedCtx),
    );
    expectInBoth(
      window,
      `could ask us to escalate your complaint to stage 2 until ${formatCivilDate(windowEnd)}`,
    );
    expectInBoth(window, 'You now have until Thursday 31 December 2026.');
    // A date kept as given is no news: no letter is owed for it, and the template refuses it.
    const kept: CaseEvent = { ...dateMoved, newDueDate: '2026-03-18', direction: 'kept' };
    expect(templateFor(kept)).toBeUndefined();
    expect(templateFor(dateMoved)).toBe('due-date-moved');
    expect(() => render('due-date-moved', [receipt, triage, acknowledge1, kept])).toThrow(/later/);
  });

  it('stage1-acknowledgement gives the stage, definition, outcomes sought and response date', () => {
    const message = render('stage1-acknowledgement');
    expectInBoth(message, 'logged it at stage 1');
    expectInBoth(message, 'Delay repairing the boiler <at> "Flat 3"');
    expectInBoth(message, 'Repair the boiler');
    expectInBoth(message, 'An apology & compensation');
    expect(message.html).toContain('<li>An apology &amp; compensation</li>');
    expectInBoth(message, 'stage 1 response by Wednesday 18 March 2026');
  });

  it('stage2-acknowledgement gives stage 2, definition, outcomes sought, the reason and response date', () => {
    const message = render('stage2-acknowledgement');
    expectInBoth(message, 'logged it at stage 2');
    expectInBoth(message, 'The stage 1 remedy for the boiler delay');
    expectInBoth(message, 'More compensation');
    expectInBoth(message, 'The £50 does not cover my <heating> costs');
    expectInBoth(message, 'stage 2 response by Tuesday 14 April 2026');
    expectInBoth(message, 'not involved at stage 1');
  });

  it('extension-notice gives the stage, reason, explanation, new date and the Ombudsman', () => {
    const message = render('extension-notice');
    expect(message.subject).toContain('stage 1');
    expectInBoth(message, 'at stage 1');
    expectInBoth(message, extensionReason);
    expectInBoth(message, 'We need a Gas Safe <engineer> to inspect the flue.');
    expectInBoth(message, 'by 4 working days');
    expectInBoth(message, 'stage 1 response by Tuesday 24 March 2026');
    for (const value of [ombudsman.name, ombudsman.phone, ombudsman.email, ombudsman.website]) {
      expectInBoth(message, value ?? 'missing');
    }
  });

  it('stage1-response gives every element of the letter and how to ask for stage 2', () => {
    const message = render('stage1-response');
    const { letter } = respond1 as Extract<CaseEvent, { type: 'response-issued' }>;
    expectInBoth(message, 'stage 1 response');
    expectInBoth(message, letter.complaintDefinition);
    expectInBoth(message, 'We have partly upheld your complaint.');
    expectInBoth(message, letter.reasons);
    expectInBoth(message, 'An apology and £50 for the delay');
    expectInBoth(message, 'Compensation: £50.');
    expectInBoth(message, 'Replace the <flue> (who: Repairs & Maintenance; by: Thursday 30 April 2026)');
    expectInBoth(message, letter.escalationRoute);
    expectInBoth(message, 'To ask us to escalate your complaint to stage 2, use your case page: ');
    expectInBoth(message, ombudsman.name);
    expect(message.text).not.toMatch(/final response/i);
  });

  it('stage1-response gives the last day to ask for stage 2 where the profile has a window', () => {
    const events = [receipt, triage, acknowledge1, respond1];
    const message = renderResidentMessage(input('stage1-response', events, windowedCtx));
    expectInBoth(message, 'stage 2 (you can do this until Thursday 9 April 2026), use your case page: ');
  });

  it('final-response gives every element, says it is final and gives the Ombudsman route in full', () => {
    const message = render('final-response');
    const { letter } = respond2 as Extract<CaseEvent, { type: 'response-issued' }>;
    expect(message.subject).toMatch(/final response/);
    expectInBoth(message, 'It is our final response.');
    expectInBoth(message, letter.complaintDefinition);
    expectInBoth(message, 'We have not upheld your complaint.');
    expectInBoth(message, letter.reasons);
    expect(message.text).toMatch(/Remedy: putting things right\n\nNone\./);
    expect(message.text).toMatch(/Outstanding actions\n\nNone\./);
    expect(message.html).toContain('<h2>Outstanding actions</h2>\n<p>None.</p>');
    expectInBoth(message, letter.escalationRoute);
    for (const value of [
      ombudsman.name,
      ombudsman.phone,
      ombudsman.email,
      ombudsman.website,
      ombudsman.address,
      ombudsman.referralTimeLimit,
    ]) {
      expectInBoth(message, value ?? 'missing');
    }
  });

  it('final-response lists outstanding actions with owner and date', () => {
    const letter = stageResponse(profile, 2, {
      outstandingActions: [
        { description: 'Refund the heater costs', owner: 'Finance', dueDate: '2026-04-01' },
      ],
    });
    const events = [...scenarios['final-response'].slice(0, -1), { ...respond2, letter } as CaseEvent];
    const message = render('final-response', events);
    expectInBoth(message, 'Refund the heater costs (who: Finance; by: Wednesday 1 April 2026)');
    expectInBoth(message, 'We have upheld your complaint.');
  });

  it('final-response states each Code element once, in order, for every preset; what the linter refuses never', () => {
    const count = (text: string, value: string | RegExp) => text.split(value).length - 1;
    for (const id of listPresetIds()) {
      const preset = loadProfile(id);
      const presetCtx = caseContext(preset);
      const letter = stageResponse(preset, 2);
      expect({ id, problems: stageResponseProblems(letter, 2, preset) }).toEqual({ id, problems: [] });
      const events = [
        receipt,
        triage,
        acknowledge1,
        { ...respond1Simple, letter: stageResponse(preset, 1) } as CaseEvent,
        escalate,
        acknowledge2,
        { ...respond2, letter } as CaseEvent,
      ];
      const { text } = renderResidentMessage(input('final-response', events, presetCtx));
      const { ombudsman: ho } = preset;
      const flagged = new Set(
        [...lintProfile(preset).errors, ...lintProfile(preset).explained].map((finding) => finding.field),
      );
      // The time limit once, whichever words state it.
      expect({ id, limit: text.match(/\b(?:12|twelve) months\b/gi)?.length }).toEqual({ id, limit: 1 });
      for (const [field, own] of [
        ['ombudsman.referralTimeLimit', ho.referralTimeLimit],
        ['ombudsman.referralGuidance', ho.referralGuidance],
        ['ombudsman.phone', ho.phone],
        ['ombudsman.email', ho.email],
        ['ombudsman.address', ho.address],
      ] as const) {
        if (!own) continue;
        if (flagged.has(field)) {
          // The preset's own text is wrong: the letter check refuses it, and the letter never says it.
          const route = `${letter.escalationRoute} ${own}`;
          expect({
            id,
            field,
            refused: stageResponseProblems({ ...letter, escalationRoute: route }, 2, preset).length > 0,
          }).toEqual({ id, field, refused: true });
          expect({ id, field, times: count(text, own) }).toEqual({ id, field, times: 0 });
        } else if (field !== 'ombudsman.referralGuidance' && field !== 'ombudsman.referralTimeLimit') {
          // (The limit is counted above: the guidance may state it in its own words.)
          expect({ id, field, times: count(text, own) }).toEqual({ id, field, times: 1 });
        }
      }
      expect({ id, heading: count(text, `If you remain unhappy: the ${ho.name}`) }).toEqual({
        id,
        heading: 1,
      });
      const order = [
        'It is our final response.',
        'What your complaint is about',
        'Our decision',
        'The reasons for our decision',
        'Remedy: putting things right',
        'Outstanding actions',
        `If you remain unhappy: the ${ho.name}`,
      ].map((heading) => text.indexOf(heading));
      expect({
        id,
        order: order.every((at, index) => at >= 0 && (index === 0 || at > (order[index - 1] ?? 0))),
      }).toEqual({ id, order: true });
    }
  });

  it("the review group's guidance (go to the Ombudsman without finishing our process) is refused and never sent", () => {
    const group = loadProfile('unnamed-ha-review-group');
    const misstatement = /without the need to exhaust/i;
    expect(group.ombudsman.referralGuidance).toMatch(misstatement);
    const letter = stageResponse(group, 2, {
      escalationRoute: `${group.ombudsman.referralGuidance} ${defaultEscalationRoute(group, 2)}`,
    });
    expect(stageResponseProblems(letter, 2, group)).toEqual([
      expect.stringMatching(
        /^the letter states a formal referral to the Ombudsman before the landlord's process is complete/,
      ),
    ]);
    expect(defaultEscalationRoute(group, 2)).not.toMatch(misstatement);
    const closed = renderResidentMessage(
      input(
        'case-closed',
        [
          receipt,
          triage,
          acknowledge1,
          { ...respond1Simple, letter: stageResponse(group, 1) } as CaseEvent,
          closeResolved,
        ],
        caseContext(group),
      ),
    );
    expect(closed.text).toContain('you can ask the Housing Ombudsman Service to look at it.');
    expect(closed.text).not.toMatch(misstatement);
  });

  it("living-plus: the final letter gives the Ombudsman's own time limit and current address, never the stale ones", () => {
    const living = loadProfile('living-plus');
    const route = defaultEscalationRoute(living, 2);
    expect(route).toContain('within 12 months of our final response');
    expect(route).toContain('PO Box 1484, Unit D, Preston, PR2 0ET');
    expect(stageResponseProblems(stageResponse(living, 2), 2, living)).toEqual([]);
    const own = stageResponse(living, 2, {
      escalationRoute: route.replace(
        'within 12 months of our final response',
        living.ombudsman.referralTimeLimit,
      ),
    });
    expect(stageResponseProblems(own, 2, living)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /time limit for going to the Ombudsman \("within 12 months of our final response"\)/,
        ),
        expect.stringMatching(/12-month referral limit counted from the original complaint/),
      ]),
    );
    const stale = stageResponse(living, 2, {
      escalationRoute: `${route} Or write to Housing Ombudsman Service, PO Box 152, L33 7WQ.`,
    });
    expect(stageResponseProblems(stale, 2, living)).toEqual([
      expect.stringMatching(
        /old address \("Housing Ombudsman Service, PO Box 152, L33 7WQ"\): use "Housing Ombudsman Service, PO Box 1484/,
      ),
    ]);
  });

  it('final-response lists the stage 1 action still open, and says why no remedy is due', () => {
    const letter = stageResponse(profile, 2, {
      decision: 'partly-upheld',
      remedy: 'none',
      noRemedyReason: 'The £50 already paid at stage 1 puts this right.',
      outstandingActions: [
        {
          actionId: 'S1-1',
          description: 'Replace the <flue>',
          owner: 'Repairs & Maintenance',
          dueDate: '2026-05-07',
        },
      ],
    });
    const events = [
      receipt,
      triage,
      acknowledge1,
      respond1,
      escalate,
      acknowledge2,
      { ...respond2, letter } as CaseEvent,
    ];
    const message = render('final-response', events);
    expectInBoth(message, 'Replace the <flue> (who: Repairs & Maintenance; by: Thursday 7 May 2026)');
    expect(message.text).toMatch(
      /Remedy: putting things right\n\nNone\.\n\nThe £50 already paid at stage 1 puts this right\./,
    );
    expect(message.text).not.toMatch(/Outstanding actions\n\nNone\./);
  });

  it('adds the ombudsman details when the route staff wrote leaves them out', () => {
    const short1 = stageResponse(profile, 1, { escalationRoute: 'Ask us for stage 2 on your case page.' });
    const events1 = [receipt, triage, acknowledge1, { ...respond1, letter: short1 } as CaseEvent];
    const stage1 = render('stage1-response', events1);
    expectInBoth(stage1, 'Ask us for stage 2 on your case page.');
    expectInBoth(stage1, `you can contact the ${ombudsman.name}`);
    expectInBoth(stage1, ombudsman.phone ?? 'missing');

    const route = `Refer it to the ${ombudsman.name} (${ombudsman.phone}) ${ombudsman.referralTimeLimit}.`;
    const short2 = stageResponse(profile, 2, { escalationRoute: route });
    const events2 = [
      ...scenarios['final-response'].slice(0, -1),
      { ...respond2, letter: short2 } as CaseEvent,
    ];
    const final = render('final-response', events2);
    expectInBoth(final, route);
    for (const value of [ombudsman.email, ombudsman.website, ombudsman.address]) {
      expectInBoth(final, value ?? 'missing');
    }
  });

  it('not-accepted gives the reason, the rationale and the right to go to the Ombudsman', () => {
    const message = render('not-accepted');
    const exclusion = profile.exclusions.find((candidate) => candidate.code === 'legal-proceedings');
    expectInBoth(message, exclusion?.description ?? 'missing');
    expectInBoth(message, 'A claim about the boiler was filed at court on 1 February.');
    expectInBoth(message, defaultNonAcceptanceRoute(profile));
    for (const value of [ombudsman.name, ombudsman.phone, ombudsman.email, ombudsman.website]) {
      expectInBoth(message, value ?? 'missing');
    }
  });

  it('service-request says how it is handled, what will be done and that a complaint is still open to them', () => {
    const message = render('service-request');
    expectInBoth(message, 'as a service request');
    expectInBoth(message, 'An engineer will repair the boiler on Thursday 5 March.');
    expectInBoth(message, 'you can still make a complaint');
  });

  it('withdrawal-confirmed confirms the withdrawal, that they can come back and the Ombudsman', () => {
    const message = render('withdrawal-confirmed');
    expectInBoth(message, 'withdrew your complaint');
    expectInBoth(message, 'Tuesday 3 March 2026 at 09:00');
    expectInBoth(message, 'You told us: It has been fixed');
    expectInBoth(message, 'you can contact us again');
    expectInBoth(message, ombudsman.name);
    expectInBoth(message, ombudsman.phone ?? 'missing');
  });

  it('case-closed explains why and what the resident can still do', () => {
    const resolved = render('case-closed');
    expectInBoth(resolved, 'closed your complaint because it was resolved at stage 1');
    expectInBoth(resolved, 'What you can still do');
    expectInBoth(resolved, ombudsman.name);
    expectInBoth(resolved, ombudsman.email ?? 'missing');

    const windowEnded = renderResidentMessage(
      input(
        'case-closed',
        [
          receipt,
          triage,
          acknowledge1,
          respond1Simple,
          { type: 'closed', at: '2026-04-10T00:00:00Z', by: handler, reason: 'escalation-window-ended' },
        ],
        windowedCtx,
      ),
    );
    expectInBoth(windowEnded, 'the time to ask for stage 2 ended on Thursday 9 April 2026');
  });

  it('refuses a letter whose event does not match the template', () => {
    expect(() =>
      renderResidentMessage({
        ...input('stage1-acknowledgement', scenarios['stage1-acknowledgement']),
        template: 'extension-notice',
      }),
    ).toThrow(/extension-notice.*needs the extension-granted event, not "acknowledged"/);
  });
});

describe('resident letters: representatives, injection and links', () => {
  const withRep = receivedEvent({
    name: 'Ada Resident',
    representative: { name: 'Ben Advocate', relationship: 'son', consentRecorded: true },
  });

  it('addresses the representative and says who they act for, in every letter', () => {
    const messages = renderAll((template) => {
      const events = scenarios[template].map((event) => (event.type === 'received' ? withRep : event));
      return input(template, events);
    });
    for (const { message } of messages) {
      expectInBoth(message, 'Dear Ben Advocate,');
      expectInBoth(message, 'you act for Ada Resident on this complaint (son), with their consent');
      expect(message.text).not.toContain('Dear Ada');
    }
  });

  it('keeps CR and LF out of every subject line, however hostile the name or reference', () => {
    const injected = '\r\nBcc: evil@example.com';
    const hostile = { ...receivedEvent({ name: `Eve${injected}` }), reference: `CMP-1${injected}` };
    const hostileProfile = { ...profile, name: `Evil Homes${injected}` };
    const messages = renderAll((template) => {
      const events = scenarios[template].map((event) => (event.type === 'received' ? hostile : event));
      return { ...input(template, events), profile: hostileProfile };
    });
    for (const { message } of messages) {
      expect(message.subject).not.toMatch(/[\r\n]/);
      expect(message.subject).toContain('CMP-1 Bcc: evil@example.com');
      expect(message.text).toContain('Dear Eve Bcc: evil@example.com,');
    }
    const alert = renderStaffAlert({
      alert: 'breach',
      state: foldCase('case-1', [hostile], ctx),
      step: `triage${injected}`,
      role: 'handler',
      profile: hostileProfile,
      consoleLink: 'https://console.example.org/cases/case-1',
    });
    expect(alert.subject).not.toMatch(/[\r\n]/);
  });

  it('escapes the link target and never makes a javascript: link', () => {
    const message = renderResidentMessage({
      ...input('complaint-received', [receipt]),
      caseLink: 'javascript:alert(document.cookie)',
    });
    expect(message.html).not.toMatch(/href="javascript:/i);
    expect(message.html).toContain('javascript:alert(document.cookie)');
    const quoted = renderResidentMessage({
      ...input('complaint-received', [receipt]),
      caseLink: 'https://x.example.org/?q="><script>alert(1)</script>',
    });
    expect(quoted.html).not.toMatch(/<script/i);
    expect(quoted.html).toContain('href="https://x.example.org/?q=&quot;&gt;&lt;script&gt;');
  });
});

describe('staff alerts', () => {
  const state: CaseState = foldCase(
    'case-1',
    [
      receivedEvent({
        reasonableAdjustments: 'Large print <18pt> letters',
        vulnerability: 'Hearing impaired; prefers "email"',
      }),
      triage,
      acknowledge1,
    ],
    ctx,
  );
  const consoleLink = 'https://console.example.org/cases/case-1?tab=tasks&task=stage1-response';
  const alertFor = (alert: (typeof STAFF_ALERTS)[number], dueAt?: string) =>
    renderStaffAlert({
      alert,
      state,
      step: 'stage1-response',
      dueAt,
      role: 'handler',
      profile,
      consoleLink,
    });

  for (const alert of STAFF_ALERTS) {
    it(`${alert}: reference, step, due time in London, role, adjustments, vulnerability and console link`, () => {
      const message = alertFor(alert, '2026-03-18T23:59:59.999Z');
      expect(message.subject).toContain('CMP-2026-000001');
      expect(message.subject).not.toMatch(/[\r\n]/);
      expectInBoth(message, 'CMP-2026-000001');
      expectInBoth(message, 'Stage 1 response (stage1-response)');
      expectInBoth(message, 'Wednesday 18 March 2026 at 23:59 (London time)');
      expectInBoth(message, 'Role: handler');
      expectInBoth(message, 'Large print <18pt> letters');
      expectInBoth(message, 'Hearing impaired; prefers "email"');
      expectInBoth(message, consoleLink);
      expect(message.html).toContain(`<a href="${escapeHtml(consoleLink)}">`);
      expect(message.html).toMatch(/<html lang="en-GB">/);
      expect(message.html).not.toContain('<18pt>');
      expect(message.text).not.toMatch(/token/i);
      expect(message.html).not.toMatch(/token/i);
      expect(message.text).not.toMatch(/designated\s+person|\b(8|eight)[\s-]+weeks?\b/i);
    });
  }

  it('says what each alert means', () => {
    expect(alertFor('breach', '2026-03-18T23:59:59.999Z').text).toMatch(
      /deadline was missed.*A manager has been alerted/s,
    );
    expect(alertFor('still-overdue', '2026-03-18T23:59:59.999Z').text).toMatch(
      /still overdue.*A manager has been alerted/s,
    );
    expect(alertFor('reminder', '2026-03-18T23:59:59.999Z').text).toMatch(/due soon/);
    expect(alertFor('new-task').text).toMatch(/A new task is waiting for the handler role/);
    expect(alertFor('new-task').text).toContain('Due: no deadline set');
  });

  it('gives BST deadlines in London time', () => {
    expectInBoth(alertFor('reminder', '2026-07-01T22:59:59.999Z'), 'Wednesday 1 July 2026 at 23:59');
  });

  it('leaves out the resident section when there are no adjustments or vulnerability', () => {
    const plain = renderStaffAlert({
      alert: 'reminder',
      state: foldCase('case-1', [receipt], ctx),
      step: 'triage',
      dueAt: '2026-03-09T23:59:59.999Z',
      role: 'handler',
      profile,
      consoleLink,
    });
    expect(plain.text).not.toContain('About the resident');
    expect(plain.text).not.toContain(HOSTILE_NAME);
  });
});

describe('postal letters', () => {
  const byPost = receivedEvent({
    preferredContact: 'post',
    address: '12 High Street\nLeeds\nLS1 1AA',
  });

  it('has the sender, the address block, the date, the reference, the message and the signature', () => {
    const letterInput = input('stage1-acknowledgement', [byPost, triage, acknowledge1]);
    const letter = renderPostalLetter(letterInput, '2026-03-10');
    expect(letter).toContain(`${HOSTILE_NAME}\n12 High Street\nLeeds\nLS1 1AA`);
    expect(letter).toContain('\n\n10 March 2026\n\n');
    expect(letter).toContain('Our reference: CMP-2026-000001');
    expect(letter).toContain(renderResidentMessage(letterInput).text);
    expect(letter).toContain(`Yours sincerely,\n${profile.letters.signature}\n${profile.letters.senderName}`);
    expect(letter.indexOf('12 High Street')).toBeLessThan(letter.indexOf('10 March 2026'));
    expect(letter.indexOf('10 March 2026')).toBeLessThan(letter.indexOf('Dear '));
    expect(letter.startsWith(profile.name)).toBe(true);
  });

  it('splits a comma-separated address and names a representative', () => {
    const event = receivedEvent({
      name: 'Ada Resident',
      preferredContact: 'post',
      address: '12 High Street, Leeds, LS1 1AA',
      representative: { name: 'Ben Advocate', relationship: 'son', consentRecorded: true },
    });
    const letter = renderPostalLetter(input('complaint-received', [event]), '2026-03-02');
    expect(letter).toContain(
      'For the attention of Ben Advocate\nAda Resident\n12 High Street\nLeeds\nLS1 1AA',
    );
    expect(letter).toContain('Dear Ben Advocate,');
  });

  it('refuses a letter with no address or a bad date', () => {
    expect(() => renderPostalLetter(input('complaint-received', [receipt]), '2026-03-02')).toThrow(
      /no postal address/,
    );
    expect(() => renderPostalLetter(input('complaint-received', [byPost]), '02/03/2026')).toThrow(
      /YYYY-MM-DD/,
    );
  });
});
