import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { dependencies } from '#functions/lib/config.ts';
import {
  annualReportAction,
  annualReportPage,
  improvementsAction,
  improvementsPage,
  managerPage,
  themesPage,
} from '#functions/web/report-pages.ts';
import { csrfToken } from '#functions/web/staff-auth.ts';
import { handler as registerTask } from '#functions/workflow/register-task.ts';
import type { Step } from '#shared/domain/case.ts';
import { ConflictError } from '#shared/domain/errors.ts';
import { CODE_PROVISIONS } from '#shared/domain/reporting/annual.ts';
import { actOnTask, recordCaseAction } from '#shared/usecases/actions.ts';
import { approveAnnualReport, saveAnnualDraft } from '#shared/usecases/annual-report.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { apiEvent, lambdaContext, staffClaims, useLocalAws } from '../handlers/setup.ts';
import { stageResponse } from '../support/fixtures.ts';

useLocalAws();

type Page = (event: never, context: never) => Promise<APIGatewayProxyStructuredResultV2>;
const HANDLER = {
  kind: 'staff',
  id: staffClaims('handler').sub,
  role: 'handler',
  email: 'h@landlord.example',
} as const;
const MANAGER = {
  kind: 'staff',
  id: staffClaims('manager').sub,
  role: 'manager',
  email: 'm@landlord.example',
} as const;
const ADMIN = {
  kind: 'staff',
  id: staffClaims('admin').sub,
  role: 'admin',
  email: 'a@landlord.example',
} as const;

async function call(
  page: Page,
  method: 'GET' | 'POST',
  path: string,
  role: string,
  options: { query?: Record<string, string>; form?: Record<string, string> } = {},
) {
  const response = await page(
    apiEvent({
      rawPath: path,
      routeKey: `${method} ${path}`,
      queryStringParameters: options.query,
      headers: options.form
        ? { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }
        : { accept: 'text/html' },
      body: options.form ? new URLSearchParams(options.form).toString() : undefined,
      claims: staffClaims(role),
    }) as never,
    lambdaContext as never,
  );
  return {
    status: response.statusCode ?? 0,
    body: String(response.body ?? ''),
    headers: response.headers ?? {},
    location: response.headers?.location,
  };
}
const csrfFor = async (role: string) =>
  csrfToken({ deps: await dependencies(), event: apiEvent({}), staff: { id: staffClaims(role).sub } });

async function openTask(caseId: string, step: Step) {
  await registerTask({ caseId, step, taskToken: `token-${step}-${caseId}` }, lambdaContext);
  const task = (await (await dependencies()).repository.tasksForCase(caseId)).find(
    (t) => t.status === 'open',
  );
  if (!task || task.step !== step) throw new Error(`no open ${step} task`);
  return task;
}

let keys = 0;
async function newCase() {
  return submitComplaint(
    await dependencies(),
    {
      complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
      complaint: { whatHappened: 'Mould in the bedroom', outcomeWanted: 'Treat it' },
    },
    `annual-${++keys}`,
    { kind: 'resident', id: 'web-form' },
  );
}

/** One complaint responded to at stage 1 with its learning, and one refused at triage. */
async function population() {
  const deps = await dependencies();
  const responded = await newCase();
  await actOnTask(deps, (await openTask(responded.caseId, 'triage')).taskId, HANDLER, {
    action: 'triage',
    outcome: 'complaint',
  });
  await recordCaseAction(deps, responded.caseId, HANDLER, { action: 'category', category: 'Damp and mould' });
  await actOnTask(deps, (await openTask(responded.caseId, 'stage1-acknowledgement')).taskId, HANDLER, {
    action: 'acknowledge',
    definition: 'Mould',
    outcomesSought: ['Treat it'],
  });
  const { stage: _s, ...letter } = stageResponse(deps.context.profile, 1);
  await actOnTask(deps, (await openTask(responded.caseId, 'stage1-response')).taskId, HANDLER, {
    action: 'respond',
    ...letter,
    theme: 'Damp and mould',
    rootCause: 'Resident not kept informed',
  });
  const refused = await newCase();
  await actOnTask(deps, (await openTask(refused.caseId, 'triage')).taskId, HANDLER, {
    action: 'triage',
    outcome: 'not-accepted',
    exclusionCode: 'already-considered',
    rationale: 'Answered in 2025',
    ombudsmanRoute: `You can ask the ${deps.context.profile.ombudsman.name} (${deps.context.profile.ombudsman.phone}) to look at this decision.`,
  });
  return { responded, refused };
}

/** Every provision answered, as the self-assessment form posts it. */
function answeredForm(csrf: string, version: number, response: string) {
  const form: Record<string, string> = {
    csrf,
    year: '2025',
    version: String(version),
    intent: 'save',
    governingBodyResponse: response,
  };
  CODE_PROVISIONS.forEach((provision, index) => {
    form[`sa${index}-complies`] = provision.id === '9.8' ? 'no' : 'yes';
    form[`sa${index}-evidence`] = `Evidence for ${provision.id}`;
    form[`sa${index}-commentary`] = provision.id === '9.8' ? 'Objectives set from April <b>2026</b>' : '';
  });
  return form;
}

describe('the themes report', () => {
  it('managers and admins only; themes and root causes by month or quarter, each count linking to its cases', async () => {
    const { responded } = await population();
    expect((await call(themesPage, 'GET', '/staff/themes', 'handler')).status).toBe(403);
    const byMonth = await call(themesPage, 'GET', '/staff/themes', 'manager');
    expect(byMonth.status).toBe(200);
    expect(byMonth.body).toContain('Themes and root causes 2025-26');
    // Today is 2 March 2026: April 2025 to March 2026 are the columns, and the response is counted in March.
    expect(byMonth.body).toContain(
      '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Mar 2026</th>',
    );
    expect(byMonth.body).toMatch(/<td class="govuk-table__cell">Damp and mould<\/td>/);
    expect(byMonth.body).toMatch(/<td class="govuk-table__cell">Resident not kept informed<\/td>/);
    const march =
      /href="(\/staff\/themes\?year=2025&amp;by=month&amp;theme=Damp\+and\+mould&amp;in=2026-03)">(\d+)/.exec(
        byMonth.body,
      );
    expect(march?.[2]).toBeDefined();
    expect(byMonth.body.match(/<svg [^>]*role="img"/g)?.length).toBe(1);

    const byQuarter = await call(themesPage, 'GET', '/staff/themes', 'admin', {
      query: { year: '2025', by: 'quarter' },
    });
    expect(byQuarter.body).toContain('Q4 (Jan 2026 to Mar 2026)');
    expect(byQuarter.body).toContain('theme=Damp+and+mould&amp;in=Q4');

    // The drill-down lists the response behind the count, with a link to the case.
    const cases = await call(themesPage, 'GET', '/staff/themes', 'manager', {
      query: { year: '2025', by: 'month', theme: 'Damp and mould', in: '2026-03' },
    });
    expect(cases.status).toBe(200);
    expect(cases.body).toContain('Responses with the theme &quot;Damp and mould&quot;: Mar 2026');
    expect(cases.body).toContain(`>${responded.reference}</a>`);
    expect(cases.body).toContain(`${march?.[2]} response`);
    const byCause = await call(themesPage, 'GET', '/staff/themes', 'manager', {
      query: { year: '2025', rootCause: 'Resident not kept informed' },
    });
    expect(byCause.body).toContain(`>${responded.reference}</a>`);
    // Nothing in February.
    const february = await call(themesPage, 'GET', '/staff/themes', 'manager', {
      query: { year: '2025', theme: 'Damp and mould', in: '2026-02' },
    });
    expect(february.body).toContain('0 responses issued in Feb 2026.');

    // Bad input says what to give instead.
    const bad = await call(themesPage, 'GET', '/staff/themes', 'manager', { query: { by: 'week' } });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('&quot;by&quot; must be month or quarter, got &quot;week&quot;');
    const outside = await call(themesPage, 'GET', '/staff/themes', 'manager', {
      query: { year: '2025', theme: 'Damp and mould', in: '2026-07' },
    });
    expect(outside.status).toBe(422);
    expect(outside.body).toContain('must be one of 2025-04');
    const manager = await call(managerPage, 'GET', '/staff/manager', 'manager');
    expect(manager.body).toContain('href="/staff/themes"');
  });
});

describe('the annual complaints performance and service improvement report', () => {
  it('managers and admins only; figures, charts with data tables, refusals, themes, one row per provision', async () => {
    const { responded } = await population();
    expect((await call(annualReportPage, 'GET', '/staff/reports/annual', 'handler')).status).toBe(403);
    expect((await call(improvementsPage, 'GET', '/staff/improvements', 'reviewer')).status).toBe(403);
    const page = await call(annualReportPage, 'GET', '/staff/reports/annual', 'manager');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Annual complaints performance and service improvement report 2025-26');
    expect(page.body).toContain('CH01(1) stage 1 complaints per 1,000 homes');
    // One complaint received in the year among 5,000 homes: 0.2 per 1,000.
    expect(page.body).toContain('<td class="govuk-table__cell">0.2</td>');
    expect(page.body.match(/<svg [^>]*role="img"/g)?.length).toBe(3);
    expect(page.body).toContain('Complaints received each month: the data');
    expect(page.body).toContain('The matter has already been considered under the complaints policy.');
    expect(page.body).toContain('Damp and mould');
    expect(page.body.match(/data-testid="provision"/g)?.length).toBe(CODE_PROVISIONS.length);
    expect(page.body).toContain('100.0% of 1 complaints acknowledged within 5 working days.');
    expect(page.body).toContain('1 complaints not accepted, each with an exclusion reason');
    expect(page.body).toContain('Stage 1 complaints received by category');
    expect(page.body).toContain('Remedies carried out');
    expect(page.body).toContain('Stage 2 requests refused (out of time)');
    expect(page.body).toContain('Satisfied with the handling, of residents asked');
    expect(page.body).toMatch(
      /Damp and mould<\/t[hd]>\s*<td class="govuk-table__cell govuk-table__cell--numeric">1<\/td>/,
    );
    expect(page.body).toContain('<link rel="stylesheet" href="/govuk/print.css" media="print">');
    const manager = await call(managerPage, 'GET', '/staff/manager', 'manager');
    expect(manager.body).toContain('Themes over time');
    expect(manager.body).toMatch(/<td class="govuk-table__cell">Damp and mould<\/td>/);

    const csv = await call(annualReportPage, 'GET', '/staff/reports/annual', 'admin', {
      query: { format: 'csv' },
    });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body).toContain('"tsm","CH01_1","0.2","1/5000"');
    expect(csv.body).toContain('"self-assessment","6.2",""');
    expect(csv.body).toContain('"category","Damp and mould","1",""');
    expect(csv.body).toContain('"category","notCategorised","0",""');
    expect(csv.body).toContain('"remedies-paid","payments","0","£0.00 compensation"');
    expect(csv.body).toContain('"ombudsman-outcome","maladministration","0",""');

    // Improvements: a reference that is no case is refused; a real one is linked; text is escaped.
    const csrf = await csrfFor('manager');
    const improvement = {
      csrf,
      intent: 'add',
      whatChanged: 'Damp <script>x</script> survey in 5 days',
      owner: 'Repairs',
      'due-day': '30',
      'due-month': '6',
      'due-year': '2026',
    };
    const unknown = await call(improvementsAction, 'POST', '/staff/improvements', 'manager', {
      form: { ...improvement, caseReferences: 'CMP-2026-999999' },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toContain('No case has the reference CMP-2026-999999');
    expect(unknown.body).toContain('govuk-error-summary');
    const bad = await call(improvementsAction, 'POST', '/staff/improvements', 'manager', {
      form: { ...improvement, caseReferences: 'nope', 'due-day': '31', 'due-month': '2' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('href="#due-day"');
    expect(bad.body).toContain('Enter case references such as CMP-2026-000123; not: NOPE');
    const added = await call(improvementsAction, 'POST', '/staff/improvements', 'manager', {
      form: { ...improvement, caseReferences: responded.reference.toLowerCase() },
    });
    expect(added.status).toBe(303);
    const register = await call(improvementsPage, 'GET', '/staff/improvements', 'manager');
    expect(register.body).toContain('Damp &lt;script&gt;x&lt;/script&gt; survey in 5 days');
    expect(register.body).toContain(responded.reference);
    expect((await call(annualReportPage, 'GET', '/staff/reports/annual', 'manager')).body).toContain(
      'Damp &lt;script&gt;x&lt;/script&gt; survey',
    );
  });

  it('saves the self-assessment; approval stores it once with who, when and its hash; a change is a new version', async () => {
    await population();
    const csrf = await csrfFor('admin');
    const early = await call(annualReportAction, 'POST', '/staff/reports/annual', 'admin', {
      form: { csrf, year: '2025', version: '0', intent: 'approve' },
    });
    expect(early.status).toBe(422);
    expect(early.body).toContain(`${CODE_PROVISIONS.length} not yet assessed`);
    expect(early.body).toContain('Enter the governing body&#39;s response before approving (Code 8.2)');
    // A row with evidence but no answer is shown again as typed, with the error at its radios.
    const partial = await call(annualReportAction, 'POST', '/staff/reports/annual', 'admin', {
      form: {
        csrf,
        year: '2025',
        version: '0',
        intent: 'save',
        'sa3-evidence': 'Typed <evidence>',
        governingBodyResponse: '',
      },
    });
    expect(partial.status).toBe(422);
    expect(partial.body).toContain('href="#sa3-complies"');
    expect(partial.body).toContain('Typed &lt;evidence&gt;</textarea>');

    const saved = await call(annualReportAction, 'POST', '/staff/reports/annual', 'admin', {
      form: answeredForm(csrf, 0, 'The board accepts the report.'),
    });
    expect(saved.status).toBe(303);
    const stale = await call(annualReportAction, 'POST', '/staff/reports/annual', 'admin', {
      form: answeredForm(csrf, 0, 'Stale'),
    });
    expect(stale.status).toBe(409);
    const approved = await call(annualReportAction, 'POST', '/staff/reports/annual', 'admin', {
      form: { csrf, year: '2025', version: '1', intent: 'approve' },
    });
    expect(approved.status).toBe(303);
    const deps = await dependencies();
    const [first] = await deps.reporting.listApprovedReports('2025');
    expect(first).toMatchObject({
      version: 1,
      approvedBy: expect.any(String),
      approvedAt: '2026-03-02T10:00:00.000Z',
    });
    expect(first?.contentHash).toBe(
      createHash('sha256')
        .update(first?.content ?? '')
        .digest('hex'),
    );
    expect(JSON.parse(first?.content ?? '{}')).toMatchObject({
      governingBodyResponse: 'The board accepts the report.',
    });

    const shown = await call(annualReportPage, 'GET', '/staff/reports/annual', 'manager', {
      query: { year: '2025', version: '1' },
    });
    expect(shown.body).toContain('data-testid="approved-version"');
    expect(shown.body).toContain(first?.contentHash);
    expect(shown.body).toContain('Objectives set from April &lt;b&gt;2026&lt;/b&gt;');
    expect(shown.body).not.toContain('id="self-assessment-form"');

    // A later change is approved as version 2; version 1 stays exactly as it was.
    await saveAnnualDraft(deps, ADMIN, '2025', {
      version: 1,
      answers: Object.fromEntries(
        (
          JSON.parse(first?.content ?? '{}').selfAssessment as Array<{
            id: string;
            complies: 'yes' | 'no';
            evidence: string;
            commentary: string;
          }>
        ).map((row) => [
          row.id,
          { complies: row.complies, evidence: row.evidence, commentary: row.commentary },
        ]),
      ),
      governingBodyResponse: 'Revised after the board meeting.',
    });
    const second = await approveAnnualReport(deps, MANAGER, '2025', 2);
    expect(second.version).toBe(2);
    const versions = await deps.reporting.listApprovedReports('2025');
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[0]).toEqual(first);
    expect(JSON.parse(versions[1]?.content ?? '{}').governingBodyResponse).toBe(
      'Revised after the board meeting.',
    );

    // Two approvals at once: one becomes version 3, the other is refused; nothing is overwritten.
    const race = await Promise.allSettled([
      approveAnnualReport(deps, MANAGER, '2025', 2),
      approveAnnualReport(deps, ADMIN, '2025', 2),
    ]);
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((race.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      ConflictError,
    );
    expect((await deps.reporting.listApprovedReports('2025')).map((v) => v.version)).toEqual([1, 2, 3]);
  });
});
