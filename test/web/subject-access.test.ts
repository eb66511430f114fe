import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { exportHandler } from '#functions/api/subject-access.ts';
import { dependencies } from '#functions/lib/config.ts';
import type { ApiEvent } from '#functions/lib/middleware.ts';
import { subjectAccessExport, subjectAccessPage } from '#functions/web/records-pages.ts';
import { csrfToken } from '#functions/web/staff-auth.ts';
import type { CaseEvent } from '#shared/domain/case.ts';
import { recordCaseAction } from '#shared/usecases/actions.ts';
import { loadCase, recordEvent } from '#shared/usecases/case-log.ts';
import { type IntakeInput, submitComplaint } from '#shared/usecases/intake.ts';
import { sendOwedLetters } from '#shared/usecases/notify.ts';
import { rectify } from '#shared/usecases/rectification.ts';
import { apiEvent, lambdaContext, staffClaims, useLocalAws } from '../handlers/setup.ts';

// A subject access request across cases: two residents with overlapping names (Ada Smith, and Ada Smith-Jones
// who shares her first name and surname's first word), a neighbour who writes to Ada's case, and Ada writing
// to a third resident's case. The export holds every case and letter of Ada's and nothing of the others'.

useLocalAws();
let keyCounter = 0;

type Handler = (event: ApiEvent, context: never) => Promise<APIGatewayProxyStructuredResultV2>;

async function call(
  handler: Handler,
  options: {
    method: 'GET' | 'POST';
    role: string;
    query?: Record<string, string>;
    form?: Record<string, string | string[]>;
    json?: unknown;
  },
) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(options.form ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item);
  }
  const response = await handler(
    apiEvent({
      rawPath: '/staff/subject-access',
      routeKey: `${options.method} /staff/subject-access`,
      queryStringParameters: options.query,
      headers: options.form
        ? { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }
        : { 'content-type': 'application/json', accept: 'text/html' },
      ...(options.form ? { body: params.toString() } : { json: options.json }),
      claims: staffClaims(options.role),
    }),
    lambdaContext,
  );
  return {
    status: response.statusCode ?? 0,
    body: String(response.body ?? ''),
    headers: response.headers ?? {},
  };
}

async function csrfFor(role: string): Promise<string> {
  return csrfToken({ deps: await dependencies(), event: apiEvent({}), staff: { id: staffClaims(role).sub } });
}

async function complaint(
  complainant: IntakeInput['complainant'],
  details: Partial<IntakeInput['complaint']> = {},
) {
  const deps = await dependencies();
  const created = await submitComplaint(
    deps,
    {
      complainant,
      complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it', ...details },
    },
    `sar-${++keyCounter}`,
    { kind: 'resident', id: 'web-form' },
  );
  await sendOwedLetters(deps, created.caseId);
  return created;
}

async function emailOnto(caseId: string, from: string, text: string, fromComplainant: boolean) {
  const deps = await dependencies();
  await recordEvent(
    deps,
    caseId,
    (_state, at): CaseEvent => ({
      type: 'email-received',
      at,
      by: { kind: 'system', id: 'email-intake' },
      messageId: `<${++keyCounter}@mail.example>`,
      receivedAt: at,
      from: { address: from },
      subject: 'About the complaint',
      text,
      rawKey: `inbound/${keyCounter}`,
      threadedBy: 'reference',
      fromComplainant,
      verdicts: { spf: 'pass', dkim: 'pass', dmarc: 'pass', spam: 'pass', virus: 'pass' },
    }),
  );
}

/** Ada's two cases (one found by email, one logged with her phone too), her neighbour, and two other residents. */
async function residents() {
  const ada = {
    name: 'Ada Smith',
    email: 'ada@resident.example',
    phone: '07700 900001',
    preferredContact: 'email',
  } as const;
  const first = await complaint(ada, { whatHappened: 'Damp again. My neighbour Bob Jones has it too.' });
  const second = await complaint(
    { ...ada, email: 'ada@resident.example' },
    { whatHappened: 'Mould in the hall' },
  );
  const deps = await dependencies();
  const manager = { kind: 'staff', id: staffClaims('manager').sub, role: 'manager' } as const;
  await recordCaseAction(deps, first.caseId, manager, { action: 'note', text: 'Spoke to the caretaker' });
  await emailOnto(first.caseId, 'bob@neighbour.example', 'I have the same damp as Ada', false);
  const other = await complaint(
    { name: 'Ada Smith-Jones', email: 'ada.sj@resident.example', preferredContact: 'email' },
    { whatHappened: 'SECRET OF ADA SMITH-JONES' },
  );
  const third = await complaint(
    { name: 'Cy Brown', email: 'cy@resident.example', preferredContact: 'email' },
    { whatHappened: 'SECRET OF CY BROWN' },
  );
  await emailOnto(third.caseId, 'ada@resident.example', 'I saw the leak at number 4 too', false);
  return { first, second, other, third };
}

interface Exported {
  subject: { matchedOn: string };
  cases: Array<{
    caseId: string;
    reference: string;
    relation: string;
    complainant?: { name: string };
    events: Array<{ seq: number; event: { type: string; text?: string }; review?: string[] }>;
    letters: Array<{ key: string; text: string }>;
  }>;
  redactionReview: Array<{ reference: string; kind: string; why: string }>;
}

describe('subject access', () => {
  it('exports every case and letter of the person and nothing of another resident, flagging third parties', async () => {
    const { first, second, other, third } = await residents();
    const response = await call(exportHandler, {
      method: 'POST',
      role: 'manager',
      json: { q: 'ADA@resident.example' },
    });
    expect(response.status).toBe(200);
    const data = JSON.parse(response.body) as Exported;
    expect(data.subject.matchedOn).toBe('email');
    expect(data.cases.map((held) => [held.reference, held.relation])).toEqual([
      [first.reference, 'complainant'],
      [second.reference, 'complainant'],
      [third.reference, 'correspondent'],
    ]);
    const deps = await dependencies();
    for (const held of data.cases.slice(0, 2)) {
      const { events } = await loadCase(deps, held.caseId);
      // Every event of her own cases (the export's own record included) and every letter sent to her.
      expect(held.events.map((entry) => entry.event.type)).toEqual(events.map((event) => event.type));
      expect(held.letters.map((letter) => letter.key)).toEqual(
        events.flatMap((event) => (event.type === 'correspondence-sent' ? [event.key] : [])),
      );
      expect(held.letters.length).toBeGreaterThan(0);
      expect(held.letters.every((letter) => !letter.text.includes('/cases/'))).toBe(true);
      expect(events.at(-1)).toMatchObject({
        type: 'subject-access-exported',
        format: 'json',
        matchedOn: 'email',
        relation: 'complainant',
        by: { id: staffClaims('manager').sub, role: 'manager' },
      });
    }
    // On Cy's case she only wrote: her email is exported, nothing of Cy's complaint.
    expect(data.cases[2]?.events.map((entry) => entry.event.text)).toEqual([
      'I saw the leak at number 4 too',
    ]);
    expect(data.cases[2]?.complainant).toBeUndefined();
    expect(data.cases[2]?.letters).toEqual([]);
    expect((await loadCase(deps, third.caseId)).events.at(-1)).toMatchObject({
      type: 'subject-access-exported',
      relation: 'correspondent',
    });
    expect(response.body).not.toContain('SECRET OF');
    expect(response.body).not.toContain(other.reference);
    expect(response.body).not.toContain('ada.sj@resident.example');
    // Others' data in her own case is there, flagged for review: the neighbour's email, the staff note, a name.
    const flags = data.redactionReview.filter((flag) => flag.reference === first.reference);
    expect(flags.map((flag) => flag.kind).sort()).toEqual([
      'correspondence-from-others',
      'names-in-text',
      'staff-note',
    ]);
    expect(flags.find((flag) => flag.kind === 'names-in-text')?.why).toContain('Bob Jones');
    const neighbour = data.cases[0]?.events.find(
      (entry) => entry.event.text === 'I have the same damp as Ada',
    );
    expect(neighbour?.review).toEqual(['correspondence-from-others']);
    // The other Ada's case was never touched.
    expect(
      (await loadCase(deps, other.caseId)).events.some((e) => e.type === 'subject-access-exported'),
    ).toBe(false);
  });

  it('by whole name finds only that name, never a longer or partial one; one word is refused', async () => {
    const { first, second } = await residents();
    const byName = await call(exportHandler, { method: 'POST', role: 'admin', json: { q: 'ada  SMITH' } });
    expect(byName.status).toBe(200);
    const data = JSON.parse(byName.body) as Exported;
    expect(data.cases.map((held) => held.caseId)).toEqual([first.caseId, second.caseId]);
    // Search would find Ada Smith-Jones by "Ada Jones" (every word is in her name); an export must not.
    const someWords = await call(exportHandler, { method: 'POST', role: 'admin', json: { q: 'Ada Jones' } });
    expect(someWords.status).toBe(422);
    expect(someWords.body).not.toContain('SECRET OF');
    const oneWord = await call(exportHandler, { method: 'POST', role: 'admin', json: { q: 'Smith' } });
    expect(oneWord.status).toBe(422);
    expect(JSON.parse(oneWord.body).message).toContain('whole name');
  });

  it('is for managers and admins only, on the API and the pages', async () => {
    const { first } = await residents();
    for (const role of ['handler', 'reviewer']) {
      const api = await call(exportHandler, { method: 'POST', role, json: { q: 'ada@resident.example' } });
      expect(api.status).toBe(403);
      expect(JSON.parse(api.body).message).toContain('managers and admins');
      const page = await call(subjectAccessPage, {
        method: 'GET',
        role,
        query: { q: 'ada@resident.example' },
      });
      expect(page.status).toBe(403);
      const post = await call(subjectAccessExport, {
        method: 'POST',
        role,
        form: { csrf: await csrfFor(role), q: 'ada@resident.example', format: 'json' },
      });
      expect(post.status).toBe(403);
    }
    const deps = await dependencies();
    expect(
      (await loadCase(deps, first.caseId)).events.some((e) => e.type === 'subject-access-exported'),
    ).toBe(false);
  });

  it('the page lists the cases to confirm, refuses a form without its CSRF token, and exports the readable page and the ZIP', async () => {
    const { first, second, third } = await residents();
    const found = await call(subjectAccessPage, {
      method: 'GET',
      role: 'manager',
      query: { q: '07700 900001' },
    });
    expect(found.status).toBe(200);
    expect(found.body).toContain(first.reference);
    expect(found.body).toContain(second.reference);
    expect(found.body).toContain('name="csrf"');

    const forged = await call(subjectAccessExport, {
      method: 'POST',
      role: 'manager',
      form: { q: '07700 900001', caseId: [first.caseId], format: 'html' },
    });
    expect(forged.status).toBe(403);

    // Staff untick the second case: only the first is exported (and recorded).
    const page = await call(subjectAccessExport, {
      method: 'POST',
      role: 'manager',
      form: { csrf: await csrfFor('manager'), q: '07700 900001', caseId: [first.caseId], format: 'html' },
    });
    expect(page.status).toBe(200);
    expect(page.body).toContain(first.reference);
    expect(page.body).not.toContain(second.reference);
    expect(page.body).toContain('data-testid="redaction-review"');
    expect(page.body).toContain('Review: Staff note');
    const deps = await dependencies();
    expect(
      (await loadCase(deps, second.caseId)).events.some((e) => e.type === 'subject-access-exported'),
    ).toBe(false);

    // A case that is not the person's cannot be slipped into the form.
    const slipped = await call(subjectAccessExport, {
      method: 'POST',
      role: 'manager',
      form: { csrf: await csrfFor('manager'), q: '07700 900001', caseId: [third.caseId], format: 'json' },
    });
    expect(slipped.status).toBe(422);

    const zip = await call(subjectAccessExport, {
      method: 'POST',
      role: 'manager',
      form: {
        csrf: await csrfFor('manager'),
        q: 'ada@resident.example',
        caseId: [first.caseId, third.caseId],
        format: 'zip',
      },
    });
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(String(zip.headers['content-disposition'])).not.toContain('ada');
    const files = unzipSync(new Uint8Array(Buffer.from(zip.body, 'base64')));
    const names = Object.keys(files);
    expect(names).toEqual(expect.arrayContaining(['export.json', 'MANIFEST.txt']));
    const { events } = await loadCase(deps, first.caseId);
    const sent = events.filter((event) => event.type === 'correspondence-sent');
    expect(names.filter((name) => name.startsWith(`${first.reference}/letters/`))).toHaveLength(sent.length);
    expect(names.some((name) => name.startsWith(third.reference))).toBe(false);
    const manifest = strFromU8(files['MANIFEST.txt'] ?? new Uint8Array());
    expect(manifest).toContain('For redaction review');
    expect(strFromU8(files['export.json'] ?? new Uint8Array())).not.toContain('SECRET OF');
  });
  it('finds a case by a value since corrected, and by the correction, as the complainant’s in full (JSON, HTML, ZIP)', async () => {
    const mary = await complaint(
      {
        name: 'Mary Green',
        email: 'mary@resident.example',
        phone: '07700 900077',
        preferredContact: 'email',
      },
      { whatHappened: 'The roof leaks' },
    );
    const other = await complaint(
      { name: 'Nell Green', email: 'nell@resident.example', preferredContact: 'email' },
      { whatHappened: 'SECRET OF NELL GREEN' },
    );
    const deps = await dependencies();
    const manager = { kind: 'staff', id: staffClaims('manager').sub, role: 'manager' } as const;
    for (const [field, value] of [
      ['email', 'mary.new@resident.example'],
      ['name', 'Mary Brown'],
    ] as const) {
      await rectify(deps, mary.caseId, manager, {
        action: 'rectify',
        field,
        value,
        reason: 'She wrote to us',
      });
    }
    for (const q of ['mary@resident.example', 'mary.new@resident.example', 'Mary Green', 'mary brown']) {
      const response = await call(exportHandler, { method: 'POST', role: 'manager', json: { q } });
      expect(response.status, q).toBe(200);
      const data = JSON.parse(response.body) as Exported;
      expect(
        data.cases.map((held) => [held.reference, held.relation]),
        q,
      ).toEqual([[mary.reference, 'complainant']]);
      const [held] = data.cases;
      const { events } = await loadCase(deps, mary.caseId);
      expect(held?.complainant?.name).toBe('Mary Brown');
      expect(held?.events.map((entry) => entry.event.type)).toEqual(events.map((event) => event.type));
      expect(held?.events.map((entry) => entry.event.type)).toContain('rectified');
      expect(held?.letters.length).toBeGreaterThan(0);
      // Her former name is her own, not someone else's to review.
      expect(data.redactionReview.filter((flag) => flag.kind === 'names-in-text')).toEqual([]);
      expect(response.body).not.toContain('SECRET OF');
      expect(response.body).not.toContain(other.reference);
      expect(response.body).not.toContain('nell@resident.example');
    }
    const listed = await call(subjectAccessPage, {
      method: 'GET',
      role: 'manager',
      query: { q: 'mary@resident.example' },
    });
    expect(listed.body).toContain('The complainant');
    expect(listed.body).not.toContain('Wrote to the case');
    const page = await call(subjectAccessExport, {
      method: 'POST',
      role: 'manager',
      form: {
        csrf: await csrfFor('manager'),
        q: 'mary@resident.example',
        caseId: [mary.caseId],
        format: 'html',
      },
    });
    expect(page.status).toBe(200);
    expect(page.body).toContain('The roof leaks');
    expect(page.body).toContain('Mary Brown');
    expect(page.body).not.toContain('Wrote to the case');
    expect(page.body).not.toContain('SECRET OF');
    const zip = await call(subjectAccessExport, {
      method: 'POST',
      role: 'manager',
      form: {
        csrf: await csrfFor('manager'),
        q: 'mary@resident.example',
        caseId: [mary.caseId],
        format: 'zip',
      },
    });
    expect(zip.status).toBe(200);
    const files = unzipSync(new Uint8Array(Buffer.from(zip.body, 'base64')));
    const { events } = await loadCase(deps, mary.caseId);
    const sent = events.filter((event) => event.type === 'correspondence-sent');
    expect(sent.length).toBeGreaterThan(0);
    expect(Object.keys(files).filter((name) => name.startsWith(`${mary.reference}/letters/`))).toHaveLength(
      sent.length,
    );
    const json = strFromU8(files['export.json'] ?? new Uint8Array());
    expect((JSON.parse(json) as Exported).cases[0]?.relation).toBe('complainant');
    expect(json).not.toContain('SECRET OF');
  });
});
