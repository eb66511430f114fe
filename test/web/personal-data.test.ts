import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { dependencies } from '#functions/lib/config.ts';
import type { ApiEvent } from '#functions/lib/middleware.ts';
import { casePage } from '#functions/web/case-pages.ts';
import { personalDataAction, personalDataPage, retentionPage } from '#functions/web/records-pages.ts';
import { managerPage } from '#functions/web/report-pages.ts';
import { csrfToken } from '#functions/web/staff-auth.ts';
import { recordCaseAction } from '#shared/usecases/actions.ts';
import { loadCase, recordEvent } from '#shared/usecases/case-log.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { apiEvent, lambdaContext, staffClaims, useLocalAws } from '../handlers/setup.ts';
import { handler } from '../support/fixtures.ts';

// The resident's rights on a case page (corrections and erasure, on the records function's page) and the
// retention dry run as a page: roles, CSRF, clear errors, escaping, and what each decision leaves on the case.

useLocalAws();
const HOSTILE = '<script>alert(1)</script>';
const manager = { kind: 'staff', id: staffClaims('manager').sub, role: 'manager' } as const;

type Page = (event: ApiEvent, context: never) => Promise<APIGatewayProxyStructuredResultV2>;

async function call(
  page: Page,
  caseId: string | undefined,
  options: {
    method?: 'GET' | 'POST';
    role?: string;
    form?: Record<string, string>;
    done?: string;
  } = {},
) {
  const path = caseId ? `/staff/case/${caseId}/personal-data` : '/staff/records/retention';
  const method = options.method ?? 'GET';
  const response = await page(
    apiEvent({
      rawPath: path,
      routeKey: `${method} ${path}`,
      pathParameters: caseId ? { caseId } : undefined,
      queryStringParameters: options.done ? { done: options.done } : undefined,
      headers: options.form
        ? { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }
        : { accept: 'text/html' },
      body: options.form ? new URLSearchParams(options.form).toString() : undefined,
      claims: staffClaims(options.role ?? 'manager'),
    }),
    lambdaContext,
  );
  return {
    status: response.statusCode ?? 0,
    body: String(response.body ?? ''),
    location: response.headers?.location,
  };
}

const csrf = async (role = 'manager') =>
  csrfToken({ deps: await dependencies(), event: apiEvent({}), staff: { id: staffClaims(role).sub } });

const viewCase = async (caseId: string, role = 'manager', done?: string) =>
  (
    await casePage(
      apiEvent({
        rawPath: `/staff/case/${caseId}`,
        routeKey: 'GET /staff/case/{caseId}',
        pathParameters: { caseId },
        queryStringParameters: done ? { done } : undefined,
        headers: { accept: 'text/html' },
        claims: staffClaims(role),
      }),
      lambdaContext,
    )
  ).body as string;

async function newCase() {
  const deps = await dependencies();
  return submitComplaint(
    deps,
    {
      complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
      complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' },
    },
    `pd-${Math.random()}`,
    { kind: 'resident', id: 'web-form' },
  );
}

/** A service request at triage: the case closes. */
async function close(caseId: string) {
  await recordEvent(await dependencies(), caseId, (_state, at) => ({
    type: 'triaged',
    at,
    by: handler,
    outcome: 'service-request',
    notes: 'Repair booked',
  }));
}

const erasure = (decision: string, reason = 'She asked by letter') => ({
  action: 'erasure',
  'erasure-requested-day': '2',
  'erasure-requested-month': '3',
  'erasure-requested-year': '2026',
  'erasure-decision': decision,
  'erasure-reason': reason,
});

describe('correcting and erasing the resident’s data from the case page', () => {
  it('is for managers and admins, linked from the case page, CSRF-checked, and says what is missing', async () => {
    const { caseId } = await newCase();
    expect(await viewCase(caseId, 'handler')).not.toContain('personal-data-link');
    expect(await viewCase(caseId)).toContain(`href="/staff/case/${caseId}/personal-data"`);
    const byHandler = await call(personalDataPage, caseId, { role: 'handler' });
    expect(byHandler.status).toBe(403);
    expect(byHandler.body).toContain('Corrections and erasure are for managers and admins');
    const posted = await call(personalDataAction, caseId, {
      method: 'POST',
      role: 'handler',
      form: { csrf: await csrf('handler'), ...erasure('granted') },
    });
    expect(posted.status).toBe(403);

    const page = await call(personalDataPage, caseId);
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-testid="rectify-form"');
    expect(page.body).toContain('data-testid="erasure-form"');
    // Open: the page says before anyone decides that a granted erasure is refused now.
    expect(page.body).toContain('data-testid="erasure-blocked"');

    const noCsrf = await call(personalDataAction, caseId, { method: 'POST', form: erasure('granted') });
    expect(noCsrf.status).toBe(403);
    const missing = await call(personalDataAction, caseId, {
      method: 'POST',
      form: { csrf: await csrf(), action: 'erasure', 'erasure-reason': '' },
    });
    expect(missing.status).toBe(422);
    expect(missing.body).toContain('Enter the date they asked');
    expect(missing.body).toContain('Choose granted or refused');
    expect(missing.body).toMatch(
      /govuk-error-summary[\s\S]*<a href="#erasure-reason">Enter the reason for the erasure decision<\/a>/,
    );
    expect((await loadCase(await dependencies(), caseId)).state.seq).toBe(1);
    // A date after today, or before the case was received (2 March 2026), is refused at the date field.
    for (const [day, month, year, says] of [
      [
        '1',
        '1',
        '2040',
        'Sunday 1 January 2040 is after today: enter the date the resident made the request, today (Monday 2 March 2026) or earlier',
      ],
      [
        '1',
        '3',
        '2026',
        'Sunday 1 March 2026 is before the case was received on Monday 2 March 2026: enter the date the resident made the request, Monday 2 March 2026 or later',
      ],
    ] as const) {
      const wrong = await call(personalDataAction, caseId, {
        method: 'POST',
        form: {
          csrf: await csrf(),
          ...erasure('refused'),
          'erasure-requested-day': day,
          'erasure-requested-month': month,
          'erasure-requested-year': year,
        },
      });
      expect(wrong.status).toBe(422);
      expect(wrong.body).toContain(`govuk-error-summary`);
      expect(wrong.body).toContain(`<a href="#erasure-requested-day">The date they asked: ${says}</a>`);
      expect(wrong.body).toMatch(/id="erasure-requested-error"/);
    }
    expect((await loadCase(await dependencies(), caseId)).state.seq).toBe(1);
  });

  it('records a correction: the case shows the new value, the timeline both, escaped', async () => {
    const { caseId } = await newCase();
    const noReason = await call(personalDataAction, caseId, {
      method: 'POST',
      form: {
        csrf: await csrf(),
        action: 'rectify',
        'rectify-field': 'email',
        'rectify-value': 'x@y.example',
      },
    });
    expect(noReason.status).toBe(422);
    expect(noReason.body).toMatch(
      /govuk-error-summary[\s\S]*<a href="#rectify-reason">Enter the reason for the correction<\/a>/,
    );
    const done = await call(personalDataAction, caseId, {
      method: 'POST',
      form: {
        csrf: await csrf(),
        action: 'rectify',
        'rectify-field': 'email',
        'rectify-value': 'ada.new@resident.example',
        'rectify-reason': `She wrote ${HOSTILE}`,
      },
    });
    expect(done.location).toBe(`/staff/case/${caseId}/personal-data?done=rectify`);
    expect((await call(personalDataPage, caseId, { done: 'rectify' })).body).toContain('Correction recorded');
    const shown = await viewCase(caseId);
    expect(shown).toContain('Was: ada@resident.example. Now: ada.new@resident.example.');
    expect(shown).toContain('She wrote &lt;script&gt;');
    expect(shown).not.toContain(HOSTILE);
    const { state, events } = await loadCase(await dependencies(), caseId);
    expect(state.complainant.email).toBe('ada.new@resident.example');
    expect(events[0]).toMatchObject({ complainant: { email: 'ada@resident.example' } });
  });

  it('refuses an erasure while open or held (recorded, reason shown), and anonymises once it is lawful', async () => {
    const { caseId } = await newCase();
    const whileOpen = await call(personalDataAction, caseId, {
      method: 'POST',
      form: { csrf: await csrf(), ...erasure('granted') },
    });
    expect(whileOpen.status).toBe(409);
    expect(whileOpen.body).toContain('Erasure refused (recorded on the case)');
    expect(whileOpen.body).toContain('is still open');

    await close(caseId);
    const deps = await dependencies();
    await recordCaseAction(deps, caseId, manager, { action: 'legal-hold', reason: `Claim ${HOSTILE}` });
    const whileHeld = await call(personalDataAction, caseId, {
      method: 'POST',
      form: { csrf: await csrf(), ...erasure('granted') },
    });
    expect(whileHeld.status).toBe(409);
    expect(whileHeld.body).toContain('under a legal hold (Claim &lt;script&gt;');
    expect(whileHeld.body).not.toContain(HOSTILE);
    expect((await loadCase(deps, caseId)).state.complainant.name).toBe('Ada Resident');

    await recordCaseAction(deps, caseId, manager, { action: 'release-legal-hold', reason: 'Settled' });
    const granted = await call(personalDataAction, caseId, {
      method: 'POST',
      form: { csrf: await csrf(), ...erasure('granted') },
    });
    expect(granted.location).toBe(`/staff/case/${caseId}/personal-data?done=erasure-granted`);
    const { state, events } = await loadCase(deps, caseId);
    expect(state.anonymised?.trigger).toBe('erasure');
    expect(JSON.stringify(events)).not.toContain('Ada Resident');
    expect(events.filter((event) => event.type === 'erasure-decided').map((event) => event.decision)).toEqual(
      ['refused', 'refused', 'granted'],
    );
    const after = (await call(personalDataPage, caseId, { done: 'erasure-granted' })).body;
    expect(after).toContain('Erasure granted: the resident');
    expect(after).toContain('data-testid="anonymised"');
    expect(await viewCase(caseId)).not.toContain('personal-data-link');
  });
});

describe('the retention dry run as a page', () => {
  it('lists what the next run will do, escaped, changes nothing, and is linked from the manager view', async () => {
    const due = await newCase();
    const held = await newCase();
    await close(due.caseId);
    await close(held.caseId);
    const deps = await dependencies();
    await recordCaseAction(deps, held.caseId, manager, { action: 'legal-hold', reason: `Claim ${HOSTILE}` });
    const empty = await call(retentionPage, undefined);
    expect(empty.status).toBe(200);
    expect(empty.body).toContain('data-testid="retention-nothing"');

    // Seven years on, both are past the baseline's six: one would be anonymised, the held one left alone.
    vi.setSystemTime(new Date('2033-03-03T10:00:00Z'));
    const page = await call(retentionPage, undefined);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`href="/staff/case/${due.caseId}"`);
    expect(page.body).toMatch(/Anonymise<\/strong> Personal data removed/);
    expect(page.body).toContain('Left alone under a legal hold: Claim &lt;script&gt;');
    expect(page.body).not.toContain(HOSTILE);
    expect((await loadCase(deps, due.caseId)).state.anonymised).toBeUndefined();

    expect((await call(retentionPage, undefined, { role: 'handler' })).status).toBe(403);
    const managerView = await managerPage(
      apiEvent({
        rawPath: '/staff/manager',
        routeKey: 'GET /staff/manager',
        headers: { accept: 'text/html' },
        claims: staffClaims('manager'),
      }),
      lambdaContext,
    );
    expect(String(managerView.body)).toContain('href="/staff/records/retention"');
  });
});
