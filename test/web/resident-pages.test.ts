import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { viewHandler } from '#functions/api/resident.ts';
import { dependencies } from '#functions/lib/config.ts';
import type { ApiEvent } from '#functions/lib/middleware.ts';
import {
  addInformation,
  addInformationForm,
  complaintForm,
  confirmEscalation,
  confirmWithdrawal,
  escalate,
  homePage,
  howToComplain,
  submitComplaintForm,
  withdraw,
} from '#functions/web/resident-pages.ts';
import { handler as registerTask } from '#functions/workflow/register-task.ts';
import type { Actor } from '#shared/domain/case.ts';
import { signCaseLink } from '#shared/domain/secrets.ts';
import { loadCase, recordEvent } from '#shared/usecases/case-log.ts';
import { checkDeadline } from '#shared/usecases/workflow.ts';
import { apiEvent, lambdaContext, parse, useLocalAws } from '../handlers/setup.ts';
import { stageResponse } from '../support/fixtures.ts';
import { fieldParts, multipart, type Part, SAMPLES } from '../support/multipart.ts';

type Handler = (event: ApiEvent, context: never) => Promise<APIGatewayProxyStructuredResultV2>;

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
const staff: Actor = { kind: 'staff', id: 'handler@landlord.example', role: 'handler' };

const HOSTILE = {
  script: '<script>alert(1)</script>',
  attribute: '"><img src=x onerror=alert(1)>',
  emoji: 'Boiler 🔥💧 broken 😡',
  rtl: 'المرجل مكسور منذ أسبوع',
  long: `${'Damp and mould in the bedroom. '.repeat(161)}END`.slice(0, 5000),
  header: 'Ada Resident\r\nBcc: x@y',
};

const validForm = {
  whatHappened: 'The boiler has been broken for three weeks.',
  outcomeWanted: 'Fix the boiler',
  name: 'Ada Resident',
  preferredContact: 'email',
  email: 'ada@resident.example',
  onBehalf: 'no',
  idempotencyKey: 'form-key-00000001',
};

const aws = useLocalAws();

async function call(handler: Handler, event: ApiEvent) {
  const result = await handler(event, lambdaContext);
  return { status: result.statusCode ?? 0, body: String(result.body), headers: result.headers ?? {} };
}

function get(path: Record<string, string> = {}, query?: Record<string, string>): ApiEvent {
  return apiEvent({
    headers: { accept: 'text/html' },
    pathParameters: path,
    queryStringParameters: query,
  });
}

function post(body: Record<string, string>, path: Record<string, string> = {}): ApiEvent {
  return apiEvent({
    headers: FORM_HEADERS,
    body: new URLSearchParams(body).toString(),
    pathParameters: path,
  });
}

/** The form as the browser sends it now: multipart/form-data (base64, as API Gateway passes binary). */
function postMultipart(fields: Record<string, string>, files: Part[] = []): ApiEvent {
  const { body, contentType } = multipart([...fieldParts(fields), ...files]);
  return apiEvent({
    headers: { 'content-type': contentType, accept: 'text/html' },
    body: body.toString('base64'),
    isBase64Encoded: true,
  });
}

const attach = (filename: string, bytes: Uint8Array, contentType = 'application/octet-stream'): Part => ({
  name: 'attachments',
  filename,
  contentType,
  bytes,
});

function title(page: string): string {
  return /<title>([^<]*)<\/title>/.exec(page)?.[1] ?? '';
}

/** The error summary's links, in order. */
function summaryLinks(page: string): string[] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(page)?.[0] ?? '';
  return [...summary.matchAll(/href="#([^"]+)"/g)].map((match) => match[1] ?? '');
}

function expectNoRawHostile(page: string) {
  expect(page).not.toContain('<script>alert(1)</script>');
  expect(page).not.toContain('<img src=x onerror=alert(1)>');
  expect(page).not.toMatch(/onerror=alert\(1\)>/);
  expect(page).not.toContain('Bcc: x@y\r');
  expect(page).not.toMatch(/\r\nBcc/);
}

async function submitValid(form: Record<string, string> = validForm) {
  const page = await call(submitComplaintForm, post(form));
  const link = /href="(https:\/\/complaints\.example\.org\/cases\/[^"]+)"/.exec(page.body)?.[1] ?? '';
  const url = new URL(link.replaceAll('&amp;', '&'));
  const caseId = url.pathname.split('/').pop() ?? '';
  const token = url.searchParams.get('token') ?? '';
  return { page, caseId, token };
}

async function casePageFor(caseId: string, token: string) {
  return call(viewHandler as Handler, get({ caseId }, { token }));
}

/** Drives a case to its stage 1 response (the escalation window), as staff would. */
async function toEscalationWindow(caseId: string) {
  const deps = await dependencies();
  const at = (iso: string) => {
    vi.setSystemTime(new Date(iso));
    return iso;
  };
  await recordEvent(deps, caseId, () => ({
    type: 'triaged',
    outcome: 'complaint',
    at: at('2026-03-03T09:00:00.000Z'),
    by: staff,
  }));
  await recordEvent(deps, caseId, () => ({
    type: 'acknowledged',
    stage: 1,
    definition: 'Delay repairing the boiler',
    outcomesSought: ['Boiler repaired'],
    at: at('2026-03-04T09:00:00.000Z'),
    by: staff,
  }));
  await recordEvent(deps, caseId, () => ({
    type: 'response-issued',
    stage: 1,
    letter: stageResponse(deps.context.profile, 1),
    at: at('2026-03-10T09:00:00.000Z'),
    by: staff,
  }));
  at('2026-03-11T09:00:00.000Z');
}

function writes() {
  return aws().dynamo.callsTo('PutItem').length + aws().dynamo.callsTo('UpdateItem').length;
}

describe('start and how-to-complain pages', () => {
  it('start page: landlord, start button, other ways to complain and representatives', async () => {
    const page = await call(homePage, get());
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html lang="en-GB"');
    expect(page.body).toContain('Code Baseline Homes');
    expect(page.body).toMatch(/<a href="\/complain" role="button"[^>]*govuk-button--start/);
    expect(page.body).toContain('href="/how-to-complain"');
    expect(page.body).toContain('01632 960100');
    expect(page.body).toContain('complaints@code-baseline.example.org');
    expect(page.body).toMatch(/complain on your behalf/);
    expect(page.body).not.toContain('token=');
  });

  it('how to complain: stage timescales, stage 2 window, exclusions and the Ombudsman', async () => {
    const page = await call(howToComplain, get());
    expect(page.status).toBe(200);
    expect(page.body).toContain('An expression of dissatisfaction');
    expect(page.body).toContain('5 working days');
    expect(page.body).toContain('10 working days of acknowledging your complaint');
    expect(page.body).toContain('20 working days of acknowledging your request');
    expect(page.body).toContain('There is no time limit for asking.');
    expect(page.body).toContain('Legal proceedings have started');
    expect(page.body).toContain('Housing Ombudsman Service');
    expect(page.body).toContain('0300 111 3000');
    expect(page.body).toContain('info@housing-ombudsman.org.uk');
    expect(page.body).toContain('PO Box 1484');
    expect(page.body).toContain('within 12 months of our final response');
    expect(page.body).toContain('at any time');
    expect(page.body).toMatch(/on your behalf/);
  });
});

describe('the complaint form', () => {
  it('renders every field with a label, and a fresh idempotency key', async () => {
    const page = await call(complaintForm, get());
    expect(page.status).toBe(200);
    for (const id of [
      'whatHappened',
      'happenedOn-day',
      'happenedOn-month',
      'happenedOn-year',
      'becameAwareOn-day',
      'becameAwareOn-month',
      'becameAwareOn-year',
      'outcomeWanted',
      'name',
      'email',
      'phone',
      'address',
      'preferredContact',
      'preferredContact-2',
      'preferredContact-3',
      'reasonableAdjustments',
      'onBehalf',
      'onBehalf-2',
      'representativeName',
      'representativeRelationship',
      'representativeConsent',
    ]) {
      expect(page.body, id).toMatch(new RegExp(`<label[^>]+for="${id}"`));
      expect(page.body, id).toContain(`id="${id}"`);
    }
    expect(page.body).toContain('What went wrong?');
    expect(page.body).toContain('within 12 months');
    expect(page.body).toContain(
      '<form method="post" action="/complain" enctype="multipart/form-data" novalidate>',
    );
    expect(page.body).toMatch(
      /<label class="govuk-label" for="attachments">Photos or documents \(optional\)<\/label>/,
    );
    expect(page.body).toContain(
      '<input class="govuk-file-upload" id="attachments" name="attachments" type="file" multiple accept=".pdf,.jpg,.jpeg,.png,.docx,.txt" aria-describedby="attachments-hint">',
    );
    expect(page.body).toContain('You can add up to 3 photos or documents');
    expect(page.body).toContain('smaller than 3MB. Together they must be smaller than 4MB.');
    expect(page.body).toMatch(/<input type="hidden" name="idempotencyKey" value="[0-9a-f-]{36}">/);
    expect(title(page.body)).not.toMatch(/^Error/);
  });

  it('an empty submission shows every problem, linked to its field, with "Error: " in the title', async () => {
    const page = await call(submitComplaintForm, post({}));
    expect(page.status).toBe(422);
    expect(title(page.body)).toMatch(/^Error: Make a complaint/);
    expect(summaryLinks(page.body)).toEqual([
      'whatHappened',
      'outcomeWanted',
      'name',
      'preferredContact',
      'onBehalf',
    ]);
    expect(page.body).toContain('Enter what went wrong');
    expect(page.body).toContain('Enter your full name');
    expect(page.body).toContain('Select how you would like us to contact you');
    expect(page.body).toContain('id="whatHappened-error"');
    expect(page.body).toMatch(/<input type="hidden" name="idempotencyKey" value="[0-9a-f-]{36}">/);
    expect(aws().dynamo.callsTo('PutItem')).toHaveLength(0);
  });

  it('asks for the chosen contact detail, the representative and their consent, and real past dates', async () => {
    const page = await call(
      submitComplaintForm,
      post({
        ...validForm,
        preferredContact: 'phone',
        email: 'not-an-email',
        onBehalf: 'yes',
        'happenedOn-day': '31',
        'happenedOn-month': '2',
        'happenedOn-year': '2026',
        'becameAwareOn-day': '1',
        'becameAwareOn-month': '4',
        'becameAwareOn-year': '2026',
      }),
    );
    expect(page.status).toBe(422);
    // A date's link goes to its day field, the first of its three (govuk-frontend's ids: <id>-day).
    expect(summaryLinks(page.body)).toEqual([
      'happenedOn-day',
      'becameAwareOn-day',
      'email',
      'phone',
      'representativeName',
      'representativeRelationship',
      'representativeConsent',
    ]);
    for (const target of summaryLinks(page.body)) {
      expect(page.body, `the summary links to #${target}`).toMatch(
        new RegExp(`<(input|textarea|select)[^>]* id="${target}"`),
      );
    }
    expect(page.body).toContain('The date it happened must be a real date');
    expect(page.body).toContain('The date you became aware of it must be today or in the past');
    expect(page.body).toContain('Enter your phone number, or choose another way for us to contact you');
    expect(page.body).toContain('Enter an email address in the correct format, like name@example.com');
    expect(page.body).toContain(
      'Confirm that the resident agrees to this person making the complaint for them',
    );
    const partial = await call(submitComplaintForm, post({ ...validForm, 'happenedOn-day': '3' }));
    expect(partial.body).toContain('The date it happened must include a month and a year');
  });

  it('keeps every answer (hostile ones escaped) and the same idempotency key after an error', async () => {
    const page = await call(
      submitComplaintForm,
      post({
        whatHappened: HOSTILE.script,
        outcomeWanted: HOSTILE.attribute,
        name: HOSTILE.header,
        email: HOSTILE.attribute,
        phone: '07700 900982',
        address: HOSTILE.rtl,
        reasonableAdjustments: HOSTILE.emoji,
        preferredContact: 'post',
        onBehalf: 'yes',
        representativeName: HOSTILE.script,
        representativeRelationship: 'Daughter',
        'happenedOn-day': '"><b>',
        idempotencyKey: 'form-key-keep-me-01',
      }),
    );
    expect(page.status).toBe(422);
    expectNoRawHostile(page.body);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;</textarea>');
    expect(page.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</textarea>');
    expect(page.body).toContain('value="Ada Resident Bcc: x@y"');
    expect(page.body).toContain('value="07700 900982"');
    expect(page.body).toContain(`${HOSTILE.rtl}</textarea>`);
    expect(page.body).toContain(`${HOSTILE.emoji}</textarea>`);
    expect(page.body).toMatch(
      /id="preferredContact-3" name="preferredContact" type="radio" value="post" checked/,
    );
    expect(page.body).toMatch(/id="onBehalf-2" name="onBehalf" type="radio" value="yes" checked/);
    expect(page.body).toContain('value="&quot;&gt;&lt;b&gt;"');
    expect(page.body).toContain('name="idempotencyKey" value="form-key-keep-me-01"');
    expect(summaryLinks(page.body)).toEqual(['happenedOn-day', 'email', 'representativeConsent']);
  });

  it('a valid submission shows the reference, the acknowledgement date in words and the case link', async () => {
    const { page, caseId, token } = await submitValid();
    expect(page.status).toBe(200);
    expect(title(page.body)).toMatch(/^Complaint received/);
    expect(page.body).toContain('govuk-panel--confirmation');
    expect(page.body).toContain('CMP-2026-000001');
    expect(page.body).toContain('Monday 9 March 2026');
    expect(caseId).not.toBe('');
    expect(token).not.toBe('');
    // A double submission (same key, same answers) finds the same case.
    const again = await call(submitComplaintForm, post(validForm));
    expect(again.body).toContain('CMP-2026-000001');
    const second = await submitValid({ ...validForm, idempotencyKey: 'form-key-00000002' });
    expect(second.page.body).not.toContain('CMP-2026-000001');
    expect(second.caseId).not.toBe(caseId);
  });

  it('the same form sent again with different answers is not silently dropped', async () => {
    await submitValid();
    const page = await call(submitComplaintForm, post({ ...validForm, outcomeWanted: 'Something else' }));
    expect(page.status).toBe(409);
    expect(page.body).toContain('You have already sent a complaint from this form');
    expect(page.body).toContain('Something else</textarea>');
    expect(page.body).not.toContain('value="form-key-00000001"');
  });

  it('stores and shows hostile input safely everywhere (confirmation, case page)', async () => {
    const { page, caseId, token } = await submitValid({
      ...validForm,
      whatHappened: `${HOSTILE.script}\n${HOSTILE.attribute}\n${HOSTILE.emoji}\n${HOSTILE.rtl}\n${HOSTILE.long}`,
      outcomeWanted: HOSTILE.attribute,
      name: HOSTILE.header,
      reasonableAdjustments: HOSTILE.script,
      onBehalf: 'yes',
      representativeName: HOSTILE.attribute,
      representativeRelationship: HOSTILE.script,
      representativeConsent: 'yes',
    });
    expect(page.status).toBe(200);
    expectNoRawHostile(page.body);
    const view = await casePageFor(caseId, token);
    expect(view.status).toBe(200);
    expectNoRawHostile(view.body);
    expect(view.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(view.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(view.body).toContain(HOSTILE.emoji);
    expect(view.body).toContain(`<p class="govuk-body" dir="auto">${HOSTILE.rtl}</p>`);
    expect(view.body).toContain(HOSTILE.long);
    const json = parse(
      await viewHandler(
        apiEvent({ pathParameters: { caseId }, queryStringParameters: { token } }),
        lambdaContext,
      ),
    );
    const complainant = (json.body.case as { complainant: { name: string } }).complainant;
    expect(complainant.name).toBe('Ada Resident Bcc: x@y');
  });
});

describe('the case page (signed link)', () => {
  it('browsers get the page with the reference and next step; others still get JSON', async () => {
    const { caseId, token } = await submitValid();
    const page = await casePageFor(caseId, token);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('CMP-2026-000001');
    expect(page.body).toContain('We must acknowledge your complaint by the end of Monday 9 March 2026.');
    expect(page.body).toContain('Monday 9 March 2026 at 23:59');
    expect(page.body).toContain('Complaint received');
    expect(page.body).not.toContain('/escalate?token=');
    expect(page.body).toContain(`/cases/${caseId}/add-information?token=${token}`);
    expect(page.body).toContain(`/cases/${caseId}/withdraw?token=${token}`);
    const json = parse(
      await viewHandler(
        apiEvent({ pathParameters: { caseId }, queryStringParameters: { token } }),
        lambdaContext,
      ),
    );
    expect(json.statusCode).toBe(200);
    expect(json.body.case).toMatchObject({ reference: 'CMP-2026-000001' });
  });

  it('after a missed deadline, says the date first given was missed and the new date the apology letter gave', async () => {
    const { caseId, token } = await submitValid();
    // The virtual clock moves past the acknowledgement deadline; the workflow's check records the breach.
    vi.setSystemTime(new Date('2026-03-10T10:00:00Z'));
    await checkDeadline(await dependencies(), { caseId, step: 'triage' });
    const { events } = await loadCase(await dependencies(), caseId);
    const breach = events.find((event) => event.type === 'deadline-breached');
    expect(breach).toMatchObject({ newDueDate: '2026-03-16' });
    const page = await casePageFor(caseId, token);
    expect(page.status).toBe(200);
    const text = page.body.replace(/\s+/g, ' ');
    expect(text).toContain(
      'We did not acknowledge your complaint by the end of Monday 9 March 2026, the date we first gave you. We are sorry. We wrote to you with a new date: we will acknowledge your complaint by the end of Monday 16 March 2026.',
    );
    expect(text).toContain(
      'Deadline: <time datetime="2026-03-16T23:59:59.999Z">Monday 16 March 2026 at 23:59</time>',
    );
    expect(text).toContain('you can contact the Housing Ombudsman Service about the delay now');
    expect(text).not.toContain('We will do it as soon as we can');
    // The promised date passes too: the page says so rather than repeating a date already broken.
    vi.setSystemTime(new Date('2026-03-17T10:00:00Z'));
    const later = (await casePageFor(caseId, token)).body.replace(/\s+/g, ' ');
    expect(later).toContain('by the end of Monday 16 March 2026.');
    expect(later).toContain(
      'This new date has passed too and we have not done this yet. We are sorry. We will do it as soon as we can',
    );
  });

  it('an invalid or missing token renders a 403 (or 422) page that does not echo the token', async () => {
    const { caseId, token } = await submitValid();
    const forged = `${token}A`;
    for (const handler of [
      viewHandler as Handler,
      confirmEscalation,
      confirmWithdrawal,
      addInformationForm,
    ]) {
      const page = await call(handler, get({ caseId }, { token: forged }));
      expect(page.status).toBe(403);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.body).toContain('This link to your complaint does not work');
      expect(page.body).toContain('Use the link in the most recent one');
      expect(page.body).toContain('Return to the start page');
      expect(page.body).not.toContain('javascript:');
      expect(page.body).not.toContain(forged);
    }
    const posted = await call(escalate, post({ token: forged }, { caseId }));
    expect(posted.status).toBe(403);
    const missing = await call(viewHandler as Handler, get({ caseId }));
    expect(missing.status).toBe(422);
    expect(missing.body).toContain('Open your complaint from the link we sent you');
  });

  it('a broken, expired or crossed link says what to do: the latest link, or the landlord with the reference', async () => {
    const { caseId, token } = await submitValid();
    const other = await submitValid({ ...validForm, idempotencyKey: 'form-key-00000002' });
    const deps = await dependencies();
    const { contact } = deps.context.profile;
    const expired = signCaseLink(deps.secrets.linkSigningKey, caseId, new Date('2026-03-01T10:00:00Z'));
    const cases: Array<[string, Handler, ApiEvent, number, string]> = [
      [
        'cut short',
        viewHandler as Handler,
        get({ caseId }, { token: token.slice(0, -5) }),
        403,
        'does not work',
      ],
      ['expired', viewHandler as Handler, get({ caseId }, { token: expired }), 403, 'has expired'],
      [
        'expired, ask for stage 2',
        confirmEscalation,
        get({ caseId }, { token: expired }),
        403,
        'has expired',
      ],
      ['expired, posted', withdraw, post({ token: expired, reason: 'x' }, { caseId }), 403, 'has expired'],
      [
        'another case',
        viewHandler as Handler,
        get({ caseId }, { token: other.token }),
        403,
        'different complaint',
      ],
      ['none', addInformationForm, get({ caseId }), 422, 'Open your complaint from the link'],
    ];
    for (const [what, handler, event, status, heading] of cases) {
      const page = await call(handler, event);
      expect(page.status, what).toBe(status);
      expect(title(page.body), what).toContain(heading);
      expect(page.body, what).toContain('Use the link in the most recent one');
      expect(page.body, what).toMatch(/data-testid="error-message">[^<]{20,}/);
      expect(page.body, what).toContain('give your complaint reference');
      // The landlord's own contact details, as links.
      expect(page.body, what).toContain(`href="mailto:${contact.email}"`);
      expect(page.body, what).toContain(`href="tel:`);
      expect(page.body, what).not.toContain(token);
    }
  });

  it('shows the stage 1 response and the stage 2 button only in the escalation window', async () => {
    const { caseId, token } = await submitValid();
    await toEscalationWindow(caseId);
    const page = await casePageFor(caseId, token);
    expect(page.body).toContain(`href="/cases/${caseId}/escalate?token=${token}"`);
    expect(page.body).toContain('There is no time limit for asking.');
    expect(page.body).toContain('We have upheld your complaint.');
    expect(page.body).toContain('An apology and £50 for the delay');
    expect(page.body).toContain('Compensation: £50');
    expect(page.body).toContain('Delay repairing the boiler');
    expect(page.body).toContain('Boiler repaired');
  });

  it('the case page and the final response agree on an action promised at stage 1 and still open', async () => {
    const { caseId, token } = await submitValid();
    const deps = await dependencies();
    const at = (iso: string) => {
      vi.setSystemTime(new Date(iso));
      return iso;
    };
    const reviewer: Actor = { kind: 'staff', id: 'reviewer@landlord.example', role: 'reviewer' };
    const boiler = { description: 'Fit a new boiler', owner: 'Repairs', dueDate: '2026-04-30' };
    await recordEvent(deps, caseId, () => ({
      type: 'triaged',
      outcome: 'complaint',
      at: at('2026-03-03T09:00:00.000Z'),
      by: staff,
    }));
    await recordEvent(deps, caseId, () => ({
      type: 'acknowledged',
      stage: 1,
      definition: 'Delay repairing the boiler',
      outcomesSought: ['Boiler repaired'],
      at: at('2026-03-04T09:00:00.000Z'),
      by: staff,
    }));
    await recordEvent(deps, caseId, () => ({
      type: 'response-issued',
      stage: 1,
      letter: stageResponse(deps.context.profile, 1, { outstandingActions: [boiler] }),
      at: at('2026-03-10T09:00:00.000Z'),
      by: staff,
    }));
    await recordEvent(deps, caseId, () => ({
      type: 'escalation-requested',
      at: at('2026-03-11T09:00:00.000Z'),
      by: { kind: 'resident', id: 'r' },
    }));
    await recordEvent(deps, caseId, () => ({
      type: 'acknowledged',
      stage: 2,
      definition: 'The stage 1 remedy',
      outcomesSought: ['More compensation'],
      at: at('2026-03-12T09:00:00.000Z'),
      by: reviewer,
    }));
    const final = (outstandingActions: 'none' | Array<typeof boiler & { actionId?: string }>) => ({
      type: 'response-issued' as const,
      stage: 2 as const,
      letter: stageResponse(deps.context.profile, 2, { outstandingActions }),
      at: at('2026-03-20T09:00:00.000Z'),
      by: reviewer,
    });
    await expect(recordEvent(deps, caseId, () => final('none'))).rejects.toMatchObject({
      code: 'INCOMPLETE_LETTER',
    });
    await recordEvent(deps, caseId, () => final([{ ...boiler, actionId: 'S1-1', dueDate: '2026-05-07' }]));
    const page = await casePageFor(caseId, token);
    // What the case is doing now, and what the final response says, name the same action and date.
    expect(page.body).toContain('<li><span dir="auto">Fit a new boiler</span> (by Thursday 7 May 2026)</li>');
    expect(page.body).toContain(
      '<li><span dir="auto">Fit a new boiler</span> (who: <span dir="auto">Repairs</span>; by Thursday 7 May 2026)</li>',
    );
    expect(page.body).not.toContain('(by Thursday 30 April 2026)');
  });

  it('GET confirm pages change nothing', async () => {
    const { caseId, token } = await submitValid();
    await toEscalationWindow(caseId);
    const before = writes();
    const confirm = await call(confirmEscalation, get({ caseId }, { token }));
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('You do not need to give a reason');
    expect(confirm.body).toContain(`<form method="post" action="/cases/${caseId}/escalate" novalidate>`);
    expect(confirm.body).toContain(`<input type="hidden" name="token" value="${token}">`);
    await call(confirmWithdrawal, get({ caseId }, { token }));
    await call(addInformationForm, get({ caseId }, { token }));
    await casePageFor(caseId, token);
    expect(writes()).toBe(before);
    const json = parse(
      await viewHandler(
        apiEvent({ pathParameters: { caseId }, queryStringParameters: { token } }),
        lambdaContext,
      ),
    );
    expect(json.body.case).toMatchObject({ status: 'stage1-responded' });
  });

  it('POST escalate at the escalation window asks for stage 2; pressing it again is harmless', async () => {
    const { caseId, token } = await submitValid();
    await toEscalationWindow(caseId);
    const done = await call(escalate, post({ token, reason: HOSTILE.script }, { caseId }));
    expect(done.status).toBe(200);
    expect(done.body).toContain('govuk-notification-banner--success');
    expect(done.body).toContain('You have asked for stage 2');
    expect(done.body).toContain('We will acknowledge your request by the end of Wednesday 18 March 2026');
    expect(done.body).toContain(`href="/cases/${caseId}?token=${token}"`);
    const view = await casePageFor(caseId, token);
    expect(view.body).toContain('Stage 2 requested');
    expect(view.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expectNoRawHostile(view.body);
    expect(view.body).not.toContain('/escalate?token=');
    const again = await call(escalate, post({ token }, { caseId }));
    expect(again.status).toBe(200);
    expect(again.body).toContain('You have asked for stage 2');
  });

  it('refuses stage 2 before the stage 1 response, with a readable page', async () => {
    const { caseId, token } = await submitValid();
    const confirm = await call(confirmEscalation, get({ caseId }, { token }));
    expect(confirm.body).toContain('You can ask for stage 2 after we have sent you our stage 1 response.');
    expect(confirm.body).not.toContain('<form');
    const before = writes();
    const posted = await call(escalate, post({ token }, { caseId }));
    expect(posted.status).toBe(409);
    expect(posted.body).toContain('You cannot ask for stage 2 now');
    expect(writes()).toBe(before);
  });

  it('adds information (text required) and withdraws', async () => {
    const { caseId, token } = await submitValid();
    const empty = await call(addInformation, post({ token, information: '' }, { caseId }));
    expect(empty.status).toBe(422);
    expect(title(empty.body)).toMatch(/^Error: /);
    expect(summaryLinks(empty.body)).toEqual(['information']);
    const added = await call(
      addInformation,
      post({ token, information: 'Also the radiator leaks' }, { caseId }),
    );
    expect(added.status).toBe(200);
    expect(added.body).toContain('We have added your information');
    expect((await casePageFor(caseId, token)).body).toContain('Also the radiator leaks');

    const withdrawn = await call(withdraw, post({ token, reason: 'Sorted now' }, { caseId }));
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toContain('You have withdrawn your complaint');
    const page = await casePageFor(caseId, token);
    expect(page.body).toContain('Complaint withdrawn');
    expect(page.body).toContain('Sorted now');
    expect(page.body).not.toContain('/withdraw?token=');
    expect(page.body).not.toContain('/add-information?token=');
    const closed = await call(addInformation, post({ token, information: 'More' }, { caseId }));
    expect(closed.status).toBe(409);
    expect(closed.body).toContain('Your complaint is closed');
  });
});

describe('attachments on the complaint form', () => {
  const storedFiles = (root: string) =>
    existsSync(root)
      ? readdirSync(root, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile() && !entry.name.endsWith('.meta.json'))
          .map((entry) => join(entry.parentPath, entry.name))
      : [];

  it('accepts a PDF (and an empty file input), stores it under the form key and records it on the case', async () => {
    const root = String(process.env.ATTACHMENTS_DIR);
    const page = await call(
      submitComplaintForm,
      postMultipart(validForm, [
        attach('Damp in bedroom.pdf', SAMPLES.pdf, 'application/pdf'),
        attach('', new Uint8Array()),
      ]),
    );
    expect(page.status).toBe(200);
    expect(page.body).toContain('CMP-2026-000001');
    const link = /href="(https:\/\/complaints\.example\.org\/cases\/[^"]+)"/.exec(page.body)?.[1] ?? '';
    const url = new URL(link.replaceAll('&amp;', '&'));
    const caseId = url.pathname.split('/').pop() ?? '';
    const { state } = await loadCase(await dependencies(), caseId);
    const sha256 = createHash('sha256').update(SAMPLES.pdf).digest('hex');
    expect(state.complaint.attachments).toEqual([
      {
        name: 'Damp in bedroom.pdf',
        contentType: 'application/pdf',
        size: SAMPLES.pdf.length,
        key: `form-key-00000001/0-${sha256.slice(0, 16)}-Damp-in-bedroom.pdf`,
        sha256,
      },
    ]);
    const files = storedFiles(root);
    expect(files).toEqual([join(root, 'form-key-00000001', `0-${sha256.slice(0, 16)}-Damp-in-bedroom.pdf`)]);
    expect(readFileSync(files[0] ?? '').equals(SAMPLES.pdf)).toBe(true);

    // The resident sees what they sent, by name and size.
    const view = await casePageFor(caseId, url.searchParams.get('token') ?? '');
    expect(view.body).toContain('Photos or documents you sent');
    expect(view.body).toContain(
      `<li><span dir="auto">Damp in bedroom.pdf</span> (${SAMPLES.pdf.length} bytes)</li>`,
    );

    // A retry of the same form with the same file is the same complaint, and writes the same object.
    const again = await call(
      submitComplaintForm,
      postMultipart(validForm, [attach('Damp in bedroom.pdf', SAMPLES.pdf, 'application/pdf')]),
    );
    expect(again.body).toContain('CMP-2026-000001');
    expect(storedFiles(root)).toEqual(files);
    // The same form with a different file is a different request: refused, and the case's file is untouched.
    const changed = await call(
      submitComplaintForm,
      postMultipart(validForm, [attach('Damp in bedroom.pdf', Buffer.from('%PDF-other'), 'application/pdf')]),
    );
    expect(changed.status).toBe(409);
    expect(summaryLinks(changed.body)).toEqual(['whatHappened', 'attachments']);
    expect(changed.body).toContain('Select your file again (Damp in bedroom.pdf)');
    expect(readFileSync(files[0] ?? '').equals(SAMPLES.pdf)).toBe(true);
  });

  it('refuses an .exe and a PNG named .pdf, keeping every answer and saying to choose the files again', async () => {
    for (const [file, message] of [
      [
        attach('setup.exe', SAMPLES.exe),
        'setup.exe must be a PDF, JPG, PNG, Word document (.docx) or text file (.txt)',
      ],
      [
        attach('photo.pdf', SAMPLES.png, 'application/pdf'),
        'photo.pdf is not a PDF: what is in it does not match its name',
      ],
    ] as const) {
      const page = await call(
        submitComplaintForm,
        postMultipart({ ...validForm, whatHappened: HOSTILE.script, idempotencyKey: 'form-key-refused-1' }, [
          file,
        ]),
      );
      expect(page.status).toBe(422);
      expect(title(page.body)).toMatch(/^Error: /);
      expect(summaryLinks(page.body)).toEqual(['attachments']);
      expect(page.body).toContain(message);
      expect(page.body).toContain(
        'Select your files again: we do not keep files from a form that has a problem',
      );
      expect(page.body).toContain('id="attachments-error"');
      expect(page.body).toContain('class="govuk-file-upload govuk-file-upload--error"');
      expect(page.body).toContain('aria-describedby="attachments-hint attachments-error"');
      expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;</textarea>');
      expect(page.body).toContain('name="idempotencyKey" value="form-key-refused-1"');
      expect(page.body).toContain('value="ada@resident.example"');
      expectNoRawHostile(page.body);
    }
    expect(aws().dynamo.callsTo('PutItem')).toHaveLength(0);
    expect(storedFiles(String(process.env.ATTACHMENTS_DIR))).toEqual([]);
  });

  it('refuses too many files and files too large, alone or together', async () => {
    const justOver = Buffer.alloc(3 * 1024 * 1024 + 1);
    SAMPLES.pdf.copy(justOver);
    // Together just over 4MB (each under 3MB).
    const part = Buffer.alloc(2.1 * 1024 * 1024);
    SAMPLES.png.copy(part);
    for (const [files, message] of [
      [[1, 2, 3, 4].map((n) => attach(`${n}.png`, SAMPLES.png)), 'Select up to 3 files'],
      // Past the parser's own file limit the extra parts are skipped unread: still the same message.
      [[1, 2, 3, 4, 5, 6].map((n) => attach(`${n}.png`, SAMPLES.png)), 'Select up to 3 files'],
      [[attach('scan.pdf', justOver)], 'scan.pdf must be smaller than 3MB'],
      [[attach('a.png', part), attach('b.png', part)], 'The files together must be smaller than 4MB'],
    ] as const) {
      const page = await call(submitComplaintForm, postMultipart(validForm, [...files]));
      expect(page.status, message).toBe(422);
      expect(summaryLinks(page.body)).toEqual(['attachments']);
      expect(page.body).toContain(message);
    }
    expect(aws().dynamo.callsTo('PutItem')).toHaveLength(0);
  });

  it('lists the files to choose again alongside other problems, in page order', async () => {
    const page = await call(
      submitComplaintForm,
      postMultipart({ ...validForm, name: '', outcomeWanted: '' }, [
        attach('photo.png', SAMPLES.png),
        attach('notes.txt', SAMPLES.txt),
      ]),
    );
    expect(page.status).toBe(422);
    expect(summaryLinks(page.body)).toEqual(['outcomeWanted', 'attachments', 'name']);
    expect(page.body).toContain(
      'Select your files again (photo.png, notes.txt): we do not keep files from a form that has a problem',
    );
  });

  it('never stores a part it cannot read, and says which answer is missing', async () => {
    const { body, contentType } = multipart([
      ...fieldParts(validForm),
      attach('Damp in bedroom.pdf', SAMPLES.pdf, 'application/pdf'),
    ]);
    // The answer and the file lose their Content-Disposition: busboy skips such parts.
    const broken = body
      .toString('latin1')
      .replace('Content-Disposition: form-data; name="whatHappened"', 'X-Not-A-Disposition: whatHappened')
      .replace(
        'Content-Disposition: form-data; name="attachments"; filename="Damp in bedroom.pdf"',
        'X-Not-A-Disposition: attachments',
      );
    const page = await call(
      submitComplaintForm,
      apiEvent({
        headers: { 'content-type': contentType, accept: 'text/html' },
        body: Buffer.from(broken, 'latin1').toString('base64'),
        isBase64Encoded: true,
      }),
    );
    expect(page.status).toBe(422);
    expect(summaryLinks(page.body)).toEqual(['whatHappened']);
    expect(aws().dynamo.callsTo('PutItem')).toHaveLength(0);
    expect(storedFiles(String(process.env.ATTACHMENTS_DIR))).toEqual([]);
  });

  it('refuses a malformed multipart body and a body over 10MB with readable pages', async () => {
    const broken = apiEvent({
      headers: { 'content-type': 'multipart/form-data; boundary=abc', accept: 'text/html' },
      body: Buffer.from('--abc\r\nContent-Disposition: form-data; name="name"\r\n\r\nAda').toString('base64'),
      isBase64Encoded: true,
    });
    const page = await call(submitComplaintForm, broken);
    expect(page.status).toBe(422);
    expect(page.body).toContain('The form could not be read');
    const huge = apiEvent({
      headers: { 'content-type': 'multipart/form-data; boundary=abc', accept: 'text/html' },
      body: 'A'.repeat(10 * 1024 * 1024 + 1),
      isBase64Encoded: true,
    });
    const tooLarge = await call(submitComplaintForm, huge);
    expect(tooLarge.status).toBe(422);
    expect(tooLarge.body).toContain('too large');
    // Every other page keeps the small limit.
    const { caseId, token } = await submitValid();
    const big = await call(addInformation, post({ token, information: 'x'.repeat(300 * 1024) }, { caseId }));
    expect(big.body).toContain('too large');
  });
});

/**
 * DynamoDB refusing one write of a resident's form (throttled or failing, after the SDK's own retries), at
 * each write the form makes in turn: the page says the service is busy and to send it again, shows the form
 * again with what was typed (so sending it again is one click), and sending it again records it exactly once.
 */
describe('the resident forms under DynamoDB write faults', () => {
  const throttled = () =>
    new ProvisionedThroughputExceededException({
      message: 'Rate of requests exceeds the allowed throughput',
      $metadata: {},
    });
  const serverError = () => new InternalServerError({ message: 'Internal server error', $metadata: {} });
  const faults = [throttled, serverError];

  /** How many writes a clean run of `act` makes: each of them is refused in turn below. */
  async function writesOf(act: () => Promise<unknown>): Promise<number> {
    const before = writes();
    await act();
    return writes() - before;
  }

  function expectBusyForm(page: { status: number; body: string }, typed: string) {
    expect(page.status).toBe(503);
    expect(title(page.body)).toMatch(/^Error: /);
    expect(page.body).toContain('govuk-error-summary');
    expect(page.body).toMatch(/busy/);
    expect(page.body).toMatch(/send it again|try again/i);
    // Never blamed on what was typed, and what was typed is kept.
    const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(page.body)?.[0] ?? '';
    expect(summary).not.toMatch(/must be|Enter /);
    expect(page.body).toContain(typed);
  }

  it('the complaint form: each write refused in turn, then sent again, makes one case with one reference', async () => {
    const total = await writesOf(() =>
      call(submitComplaintForm, post({ ...validForm, idempotencyKey: 'count-writes-0001' })),
    );
    expect(total).toBeGreaterThan(2);
    for (let nth = 1; nth <= total; nth++) {
      const form = {
        ...validForm,
        idempotencyKey: `fault-form-${String(nth).padStart(6, '0')}`,
        whatHappened: `Fault ${nth}: the boiler`,
      };
      aws().dynamo.failNthWrite({ nth, error: faults[nth % 2] as () => Error });
      const mark = aws().dynamo.calls.length;
      const refused = await call(submitComplaintForm, post(form));
      const writesMade = aws()
        .dynamo.calls.slice(mark)
        .filter((call) => /^(Put|Update|Delete)Item$/.test(call.operation));
      const failed = writesMade[nth - 1]?.input as { Key?: { pk?: string } } | undefined;
      if (refused.status === 200) {
        // The only write whose failure is rightly ignored: the counter is a hint; the number is bound anyway.
        expect(failed?.Key?.pk, `write ${nth}`).toMatch(/^COUNTER#REF#/);
        continue;
      }
      expectBusyForm(refused, `Fault ${nth}: the boiler</textarea>`);
      expect(refused.body).toContain(`name="idempotencyKey" value="${form.idempotencyKey}"`);
      const sent = await call(submitComplaintForm, post(form));
      expect(sent.status, `write ${nth}`).toBe(200);
      expect(sent.body).toContain('Complaint received');
    }
    const projections = (await aws().table.items()).filter((item) => item.sk === 'PROJECTION');
    expect(projections).toHaveLength(total + 1);
    const received = (await aws().table.items()).filter((item) => item.type === 'received');
    expect(received).toHaveLength(total + 1);
    // One reference per case, no gaps: a refused write never burns a number.
    expect(projections.map((item) => item.reference).sort()).toEqual(
      Array.from({ length: total + 1 }, (_, i) => `CMP-2026-${String(i + 1).padStart(6, '0')}`),
    );
  });

  /** A resident's confirm form, refused at each of its writes in turn on a fresh case, then sent again. */
  async function faultEachWrite(options: {
    prepare: (caseId: string) => Promise<void>;
    /** The confirm page the resident posts from: its hidden fields are sent back, as a browser would. */
    form: Handler;
    handler: Handler;
    fields: Record<string, string>;
    typed: string;
    done: string;
    expectOnce: (caseId: string) => Promise<void>;
  }) {
    const fresh = async (n: number) => {
      vi.setSystemTime(new Date('2026-03-02T10:00:00Z'));
      const made = await submitValid({
        ...validForm,
        idempotencyKey: `fault-case-${String(n).padStart(6, '0')}`,
      });
      await options.prepare(made.caseId);
      return made;
    };
    const first = await fresh(0);
    const send = async (made: { caseId: string; token: string; hidden?: Record<string, string> }) => {
      if (!made.hidden) {
        const page = await call(options.form, get({ caseId: made.caseId }, { token: made.token }));
        const fields = [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)];
        made.hidden = Object.fromEntries(fields.map((match) => [match[1] ?? '', match[2] ?? '']));
      }
      return call(options.handler, post({ ...made.hidden, ...options.fields }, { caseId: made.caseId }));
    };
    const total = await writesOf(() => send(first));
    expect(total).toBeGreaterThan(1);
    for (let nth = 1; nth <= total; nth++) {
      const made = await fresh(nth);
      aws().dynamo.failNthWrite({ nth, error: faults[nth % 2] as () => Error });
      const mark = aws().dynamo.calls.length;
      const refused = await send(made);
      if (refused.status === 200) {
        // Refused after the request was recorded: closing the task it ends. It is done (the task is marked
        // owed and catches up), so the resident is told so; sending it again changes nothing.
        const writesMade = aws()
          .dynamo.calls.slice(mark)
          .filter((call) => /^(Put|Update|Delete)Item$/.test(call.operation));
        const failed = writesMade[nth - 1]?.input as { Key?: { pk?: string } } | undefined;
        expect(failed?.Key?.pk, `write ${nth}`).toMatch(/^TASK#/);
        expect(refused.body).toContain(options.done);
      } else expectBusyForm(refused, options.typed);
      const again = await send(made);
      expect(again.status, `write ${nth}: ${again.body.slice(0, 300)}`).toBe(200);
      expect(again.body).toContain(options.done);
      await options.expectOnce(made.caseId);
    }
  }

  const typesOn = async (caseId: string) =>
    (await loadCase(await dependencies(), caseId)).events.map((event) => event.type);
  const count = (types: string[], type: string) => types.filter((t) => t === type).length;
  /** The request ended the task it answers, so the workflow is not left waiting for the task's timer. */
  const expectNoOpenTask = async (caseId: string) => {
    const tasks = await (await dependencies()).repository.tasksForCase(caseId);
    expect(tasks.filter((task) => task.status === 'open').map((task) => task.step)).toEqual([]);
  };

  it('adding information: each write refused in turn, then sent again, adds it once', async () => {
    await faultEachWrite({
      prepare: async () => {},
      form: addInformationForm,
      handler: addInformation,
      fields: { information: 'The radiator leaks too' },
      typed: 'The radiator leaks too</textarea>',
      done: 'We have added your information',
      expectOnce: async (caseId) => {
        const events = (await loadCase(await dependencies(), caseId)).events;
        const added = events.filter(
          (event) => event.type === 'related-issue-added' || event.type === 'note-added',
        );
        expect(added).toHaveLength(1);
      },
    });
  });

  it('asking for stage 2: each write refused in turn, then sent again, asks once and ends the window task', async () => {
    await faultEachWrite({
      prepare: async (caseId) => {
        await toEscalationWindow(caseId);
        await registerTask(
          { caseId, step: 'escalation-window', taskToken: `token-window-${caseId}` },
          lambdaContext,
        );
      },
      form: confirmEscalation,
      handler: escalate,
      fields: { reason: 'Still no heating' },
      typed: 'Still no heating</textarea>',
      done: 'You have asked for stage 2',
      expectOnce: async (caseId) => {
        expect(count(await typesOn(caseId), 'escalation-requested')).toBe(1);
        await expectNoOpenTask(caseId);
      },
    });
  });

  it('withdrawing: each write refused in turn, then sent again, withdraws once and leaves no open task', async () => {
    await faultEachWrite({
      prepare: async (caseId) => {
        await registerTask({ caseId, step: 'triage', taskToken: `token-triage-${caseId}` }, lambdaContext);
      },
      form: confirmWithdrawal,
      handler: withdraw,
      fields: { reason: 'Sorted now' },
      typed: 'Sorted now</textarea>',
      done: 'You have withdrawn your complaint',
      expectOnce: async (caseId) => {
        expect(count(await typesOn(caseId), 'withdrawn')).toBe(1);
        await expectNoOpenTask(caseId);
      },
    });
  });
});
