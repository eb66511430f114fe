import { setTimeout as sleep } from 'node:timers/promises';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as emailIntake from '#functions/email/intake.ts';
import { s3ObjectCreated } from '#functions/lib/s3-events.ts';
import { messageKey } from '#shared/domain/email.ts';
import { CODE_PROVISIONS } from '#shared/domain/reporting/annual.ts';
import { DEFAULT_LEARNING } from '#shared/policy/profile.ts';
import { stageResponse } from '../support/fixtures.ts';
import { FORM, runs, type Sent, urlencoded, useSweep } from './sweep-support.ts';

/**
 * Stored hostile text renders escaped on every page that shows it. Text goes into every field a resident
 * or staff member types: through the public complaint form (what happened, the outcome wanted, the name,
 * address, adjustments, a representative's name and relationship), the resident's add-information form,
 * and staff actions (a triage note, an acknowledgement's definition and outcomes, a case note, an action's
 * description, owner and completion note, an Ombudsman referral's reference and notes, a stage 1 response's
 * definition, reasons and remedy, and a staff member whose verified email is itself hostile), a manager's
 * self-assessment (evidence, commentary, the governing body's response) and improvement (what changed, its
 * owner), and a held email (sender's name, subject, text, a refused file's name). Then every page that shows
 * stored text is fetched: the confirmation, the resident's case page, the staff case page, the work queue,
 * the search page (results and the echoed query), the manager page, the two letter previews, the evidence
 * pack (HTML), the held email list and page, the themes report (the grid, one theme's cases, and a hostile
 * theme echoed), the annual report, the improvements register, and the subject access page (the person's
 * cases, the readable export, and a hostile query echoed). No markup, script or attribute from the
 * input may appear unescaped, and each page that shows the text must show it (escaped).
 */

const { sweep, tally } = useSweep('stored hostile text');
/** Cases made, each with the hostile text in every field above and checked on every page. */
const ESCAPE_CASES = 12;

/** What must never appear in a page, for the marker in this run's hostile text. */
function expectEscaped(name: string, page: APIGatewayProxyStructuredResultV2, marker: string) {
  const text = String(page.body);
  // The echoed search may be refused (a name of more than five words), and is shown again in the form.
  const problem = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(text)?.[0] ?? text.slice(0, 300);
  expect(page.statusCode, `${name}: ${problem}`).toBe(
    ['searchEcho', 'themeEcho', 'subjectAccessEcho'].includes(name) && page.statusCode === 422 ? 422 : 200,
  );
  expect(text, name).not.toContain(`<${marker}`);
  expect(text, name).not.toContain(`<script>${marker}`);
  expect(text, name).not.toContain(`" data-${marker}`);
  expect(text, name).not.toContain(`' data-${marker}`);
}

/** A hostile staff member: a handler whose (verified) email attribute is itself markup. */
const hostileStaff = (marker: string) => ({
  sub: `local-${marker}`,
  token_use: 'id',
  email: `"><${marker} onmouseover=${marker}>@evil.example`,
  email_verified: true,
  'cognito:groups': ['handler'],
});

/**
 * A stranger's email quoting the case's reference, hostile in its sender's name, subject, text and file
 * name: email intake holds it for staff (the sender is not a contact of that case), as SES and the SMTP
 * listener deliver it (the raw message stored, then the S3 event).
 */
async function holdHostileEmail(reference: string, marker: string, hostile: string): Promise<string> {
  const markup = `<${marker} onmouseover=${marker}>" data-${marker}="1`;
  const messageId = `${marker}@elsewhere.example`;
  const raw = [
    `From: "Mallory ${markup.replaceAll('"', "'")}" <mallory@elsewhere.example>`,
    'To: complaints@code-baseline.example.org',
    `Subject: ${reference} ${markup}`,
    `Message-ID: <${messageId}>`,
    'Date: Mon, 02 Mar 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `Close it ${Buffer.from(hostile).toString()}`,
    '--b1',
    `Content-Type: application/x-msdownload; name="${marker}<b>.exe"`,
    `Content-Disposition: attachment; filename="${marker}<b>.exe"`,
    'Content-Transfer-Encoding: base64',
    '',
    'TVqQAAMAAAAEAAAA',
    '--b1--',
    '',
  ].join('\r\n');
  const store = sweep().system.deps.inboundEmail;
  if (!store) throw new Error('the local system has no inbound store');
  const key = `sweep-escape/${marker}.eml`;
  await store.put(key, Buffer.from(raw), 'message/rfc822');
  const event = s3ObjectCreated({
    bucket: 'local-inbound',
    key,
    size: raw.length,
    time: new Date().toISOString(),
  });
  const result = (await emailIntake.handler(event, {} as never)) as { outcome: string };
  expect(result.outcome, 'the hostile email is held').toBe('held');
  return messageKey(messageId);
}

/** The case's open task, once the workflow has registered it (it does so a moment after each step). */
async function openTask(caseId: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    await sweep().system.settle();
    const tasks = await sweep().system.deps.repository.tasksForCase(caseId);
    const open = tasks.find((task) => task.status === 'open');
    if (open) return open.taskId;
    await sleep(20);
  }
  throw new Error(`Case ${caseId} has no open task`);
}

describe('stored hostile text renders escaped on every page that shows it', () => {
  it('every page that shows stored text: case pages, queue, search, manager, previews, evidence pack, held email, themes, annual report, improvements', async () => {
    let made = 0;
    await tally.measure('stored hostile text, every page that shows it', async (count) => {
      const send = (request: Sent) => {
        count();
        return sweep().send(request);
      };
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 30 }),
          fc.string({ unit: 'binary', maxLength: 30 }),
          fc.constantFrom('"', "'", '&', '<', '>', '`', '</textarea>', '<!--', ']]>', '&quot;', '&#x3C;'),
          async (before, after, quote) => {
            const marker = `x-h${made++}`;
            const hostile = `${before}<${marker} onmouseover=${marker}>${quote}" data-${marker}="1' data-${marker}='1${after}<script>${marker}()</script>`;
            const confirmation = await send({
              method: 'POST',
              target: '/complain',
              headers: { 'content-type': FORM, accept: 'text/html' },
              body: urlencoded([
                ['whatHappened', `Damp ${hostile}`],
                ['outcomeWanted', `Fix ${hostile}`],
                ['name', `Ada ${hostile}`.slice(0, 200)],
                ['preferredContact', 'email'],
                ['email', 'ada@resident.example'],
                ['address', `Flat 3 ${hostile}`.slice(0, 500)],
                ['reasonableAdjustments', `Large print ${hostile}`],
                ['onBehalf', 'yes'],
                ['representativeName', `Bob ${hostile}`.slice(0, 200)],
                ['representativeRelationship', `Son ${hostile}`.slice(0, 100)],
                ['representativeConsent', 'yes'],
                ['idempotencyKey', `sweep-escape-${String(made).padStart(6, '0')}`],
              ]),
            });
            const link = /href="(http[^"]+\/cases\/[^"]+)"/.exec(String(confirmation.body))?.[1] ?? '';
            expect(link, String(confirmation.body).slice(0, 500)).not.toBe('');
            const url = new URL(link.replaceAll('&amp;', '&'));
            const caseId = url.pathname.split('/').pop() ?? '';
            // Staff text, and a staff member whose email is hostile (the manager page names handlers).
            const staff = hostileStaff(marker);
            for (const action of [
              { action: 'triage', outcome: 'complaint', notes: `Note ${hostile}` },
              { action: 'acknowledge', definition: `About ${hostile}`, outcomesSought: [`Wants ${hostile}`] },
            ]) {
              const acted = await send({
                method: 'POST',
                target: `/staff/tasks/${await openTask(caseId)}/actions`,
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(action),
                claims: staff,
              });
              expect(acted.statusCode, String(acted.body)).toBe(200);
            }
            // The resident adds information from their case page; staff record a note, an action and a referral.
            const added = await send({
              method: 'POST',
              target: `/cases/${caseId}/add-information`,
              headers: { 'content-type': FORM, accept: 'text/html' },
              body: urlencoded([
                ['token', url.searchParams.get('token') ?? ''],
                ['information', `Also ${hostile}`],
              ]),
            });
            expect(added.statusCode, String(added.body).slice(0, 300)).toBe(200);
            for (const record of [
              { action: 'note', text: `Rang ${hostile}` },
              {
                action: 'add-action',
                description: `Repair ${hostile}`,
                owner: `Repairs ${hostile}`.slice(0, 200),
                dueDate: '2026-04-01',
              },
              { action: 'complete-action', actionId: 'A1', note: `Done ${hostile}` },
              { action: 'ombudsman-referral', reference: `HOS-${marker}`, notes: `Referred ${hostile}` },
            ]) {
              const recorded = await send({
                method: 'POST',
                target: `/staff/cases/${caseId}/events`,
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(record),
                claims: staff,
              });
              expect(recorded.statusCode, String(recorded.body)).toBeLessThan(300);
            }
            const taskId = await openTask(caseId);
            const csrf = await sweep().csrfFor('mo');
            const preview = (fields: [string, string][]) =>
              send({
                method: 'POST',
                target: `/staff/case/${caseId}/task`,
                headers: { 'content-type': FORM },
                body: urlencoded([['csrf', csrf], ['taskId', taskId], ...fields]),
                user: 'mo',
              });
            const reference = /CMP-\d{4}-\d+/.exec(String(confirmation.body))?.[0] ?? '';
            const pages: Record<string, APIGatewayProxyStructuredResultV2> = {
              confirmation,
              residentCase: await send({
                method: 'GET',
                target: `${url.pathname}${url.search}`,
                headers: { accept: 'text/html' },
              }),
              staffCase: await send({ method: 'GET', target: `/staff/case/${caseId}`, user: 'hannah' }),
              queue: await send({ method: 'GET', target: '/staff?role=all', user: 'mo' }),
              searchResults: await send({
                method: 'GET',
                target: `/staff/search?q=${encodeURIComponent(reference)}`,
                user: 'hannah',
              }),
              searchEcho: await send({
                method: 'GET',
                target: `/staff/search?q=${encodeURIComponent(Buffer.from(hostile).toString())}`,
                user: 'hannah',
              }),
              manager: await send({ method: 'GET', target: '/staff/manager', user: 'mo' }),
              extensionPreview: await preview([
                ['action', 'extend'],
                ['extend-reason', 'Complex complaint needing specialist input'],
                ['extend-days', '5'],
                ['extend-explanation', `Because ${hostile}`],
              ]),
              responsePreview: await preview([
                ['action', 'respond'],
                ['complaintDefinition', `Definition ${hostile}`],
                ['decision', 'upheld'],
                ['reasons', `Reasons ${hostile}`],
                ['remedy', 'remedy'],
                ['remedyDescription', `Remedy ${hostile}`],
                ['compensation', '50'],
                ['actions', 'none'],
                ['theme', DEFAULT_LEARNING.themes[0] ?? ''],
                ['rootCause', DEFAULT_LEARNING.rootCauses[0] ?? ''],
                ['escalationRoute', `Route ${hostile}`],
                ['theme', 'Repairs and maintenance'],
                ['rootCause', 'No fault found'],
              ]),
            };
            // The response, with hostile text in its letter.
            const { stage: _stage, ...letter } = stageResponse(sweep().system.deps.context.profile, 1, {
              complaintDefinition: `Definition ${hostile}`,
              reasons: `Reasons ${hostile}`,
              remedy: { description: `Remedy ${hostile}`, compensationPounds: 50 },
            });
            // Learning comes from the profile's lists (anything else is refused), so the themes pages show only
            // those and the cases' references; a hostile theme in the query is echoed, escaped.
            const theme = DEFAULT_LEARNING.themes[0] ?? '';
            const responded = await send({
              method: 'POST',
              target: `/staff/tasks/${taskId}/actions`,
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                action: 'respond',
                ...letter,
                theme,
                rootCause: DEFAULT_LEARNING.rootCauses[0],
              }),
              claims: staff,
            });
            expect(responded.statusCode, String(responded.body)).toBe(200);
            await sweep().system.settle();
            const heldKey = await holdHostileEmail(reference, marker, hostile);
            // A manager's self-assessment, governing body's response and an improvement, all hostile.
            const year = '2025';
            const draft = await sweep().system.deps.reporting.getAnnualDraft(year);
            const managerForm = (target: string, fields: [string, string][]) =>
              send({
                method: 'POST',
                target,
                headers: { 'content-type': FORM },
                body: urlencoded([['csrf', csrf], ...fields]),
                user: 'mo',
              });
            const saved = await managerForm('/staff/reports/annual', [
              ['year', year],
              ['version', String(draft?.version ?? 0)],
              ['intent', 'save'],
              ['governingBodyResponse', `Board ${hostile}`],
              ...CODE_PROVISIONS.flatMap((_provision, index): [string, string][] => [
                [`sa${index}-complies`, 'yes'],
                [`sa${index}-evidence`, `Evidence ${hostile}`],
                [`sa${index}-commentary`, `Comment ${hostile}`],
              ]),
            ]);
            expect(saved.statusCode, String(saved.body).slice(0, 500)).toBe(303);
            const improved = await managerForm('/staff/improvements', [
              ['whatChanged', `Changed ${hostile}`],
              ['owner', `Owner ${hostile}`.slice(0, 200)],
              ['caseReferences', reference],
              ['due-day', '1'],
              ['due-month', '6'],
              ['due-year', '2026'],
            ]);
            expect(improved.statusCode, String(improved.body).slice(0, 500)).toBe(303);
            Object.assign(pages, {
              evidencePack: await send({
                method: 'POST',
                target: `/staff/case/${caseId}/evidence-pack`,
                headers: { 'content-type': FORM },
                body: urlencoded([
                  ['csrf', csrf],
                  ['format', 'html'],
                ]),
                user: 'mo',
              }),
              staffCaseResponded: await send({ method: 'GET', target: `/staff/case/${caseId}`, user: 'mo' }),
              residentCaseResponded: await send({
                method: 'GET',
                target: `${url.pathname}${url.search}`,
                headers: { accept: 'text/html' },
              }),
              heldList: await send({ method: 'GET', target: '/staff/held-email', user: 'mo' }),
              heldPage: await send({ method: 'GET', target: `/staff/held-email/${heldKey}`, user: 'mo' }),
              themes: await send({ method: 'GET', target: `/staff/themes?year=${year}`, user: 'mo' }),
              themeCases: await send({
                method: 'GET',
                target: `/staff/themes?year=${year}&theme=${encodeURIComponent(theme)}`,
                user: 'mo',
              }),
              themeEcho: await send({
                method: 'GET',
                target: `/staff/themes?year=${year}&theme=${encodeURIComponent(Buffer.from(hostile).toString())}`,
                user: 'mo',
              }),
              annualReport: await send({
                method: 'GET',
                target: `/staff/reports/annual?year=${year}`,
                user: 'mo',
              }),
              improvements: await send({ method: 'GET', target: '/staff/improvements', user: 'mo' }),
              subjectAccess: await send({
                method: 'GET',
                target: '/staff/subject-access?q=ada%40resident.example',
                user: 'mo',
              }),
              subjectAccessExport: await send({
                method: 'POST',
                target: '/staff/subject-access',
                headers: { 'content-type': FORM },
                body: urlencoded([
                  ['csrf', csrf],
                  ['q', 'ada@resident.example'],
                  ['caseId', caseId],
                  ['format', 'html'],
                ]),
                user: 'mo',
              }),
              subjectAccessEcho: await send({
                method: 'GET',
                target: `/staff/subject-access?q=${encodeURIComponent(Buffer.from(hostile).toString())}`,
                user: 'mo',
              }),
            });
            for (const [name, page] of Object.entries(pages)) expectEscaped(name, page, marker);
            // The text is there, escaped: the pages did show it (and so were checked).
            const shown = `&lt;${marker} onmouseover=${marker}&gt;`;
            for (const name of [
              'residentCase',
              'staffCase',
              'searchResults',
              'searchEcho',
              'extensionPreview',
              'responsePreview',
              'evidencePack',
              'staffCaseResponded',
              'residentCaseResponded',
              'heldList',
              'heldPage',
              'themeEcho',
              'annualReport',
              'improvements',
              'subjectAccess',
              'subjectAccessExport',
            ] as const) {
              expect(
                String((pages as Record<string, APIGatewayProxyStructuredResultV2>)[name]?.body),
                name,
              ).toContain(shown);
            }
            expect(String(pages.manager?.body), 'manager').toContain(
              `&lt;${marker} onmouseover=${marker}&gt;@evil.example`,
            );
          },
        ),
        { seed: 20_261_207, numRuns: runs(ESCAPE_CASES) },
      );
    });
  }, 600_000);
});
