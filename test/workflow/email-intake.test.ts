import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { searchHandler } from '#functions/api/staff-queries.ts';
import { handler } from '#functions/email/intake.ts';
import type { ApiEvent } from '#functions/lib/middleware.ts';
import { s3ObjectCreated } from '#functions/lib/s3-events.ts';
import { casePage, recordOnCase, taskAction } from '#functions/web/case-pages.ts';
import { csrfToken } from '#functions/web/staff-auth.ts';
import {
  downloadEmail,
  downloadHeldEmailRaw,
  heldEmailAction,
  heldEmailList,
  heldEmailPage,
} from '#functions/web/staff-pages.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb-case-store.ts';
import type { CaseEvent } from '#shared/domain/case.ts';
import { messageKey } from '#shared/domain/email.ts';
import { heldCopyKey } from '#shared/domain/records.ts';
import { loadProfile } from '#shared/policy/load-profile.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import type { AttachmentStore } from '#shared/ports/attachments.ts';
import { recordCaseAction } from '#shared/usecases/actions.ts';
import { attachHeldEmail } from '#shared/usecases/held-email.ts';
import { staffReport } from '#shared/usecases/report.ts';
import { anonymiseCase } from '#shared/usecases/retention.ts';
import { LOCAL_TABLE } from '../../infra/local/data-dir.ts';
import { apiEvent, lambdaContext, staffClaims } from '../handlers/setup.ts';
import { DynamoWatch } from '../support/dynamodb.ts';
import { interleave } from '../support/races.ts';
import { complaint, DAY, Harness, staff } from './harness.ts';

/**
 * Real MIME messages (test/fixtures/email/) written to the inbound store and handed to the email-intake
 * handler as SES's S3 notification would, on the local system (dynalite, the real ASL, the SES emulator).
 */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'email');

let harness: Harness;
let delivered = 0;
beforeEach(async () => {
  harness = await Harness.start();
});
afterEach(() => harness.stop());

async function deliver(name: string, replacements: Record<string, string> = {}) {
  // latin1 keeps every byte as it is in the file (the fixtures carry 8-bit charsets).
  let raw = readFileSync(join(FIXTURES, name), 'latin1');
  for (const [from, to] of Object.entries(replacements)) raw = raw.replaceAll(from, to);
  const key = `2026-03-02/${++delivered}-${name}`;
  const store = harness.deps.inboundEmail;
  if (!store) throw new Error('the local system has no inbound store');
  await store.put(key, Buffer.from(raw, 'latin1'), 'message/rfc822');
  const receivedAt = new Date().toISOString();
  const event = s3ObjectCreated({ bucket: 'inbound', key, size: raw.length, time: receivedAt });
  const result = (await handler(event, {} as never)) as { outcome: string };
  await harness.system.settle();
  return { key, receivedAt, outcome: result.outcome };
}

async function caseByReference(reference: string) {
  const caseId = await harness.deps.repository.findCaseIdByReference(reference);
  if (!caseId) throw new Error(`no case ${reference}`);
  return { caseId, state: await harness.state(caseId), events: await harness.events(caseId) };
}

/** Every case there is (email intake keys them by the message, so each reference is one case). */
async function allCases() {
  const found = [];
  for (let n = 1; n <= 20; n++) {
    const caseId = await harness.deps.repository.findCaseIdByReference(
      `CMP-2026-${String(n).padStart(6, '0')}`,
    );
    if (caseId) found.push(await harness.state(caseId));
  }
  return found;
}

/** The receipt the workflow sends once the case is recorded (it may still be on its way after settling once). */
async function receiptsTo(address: string) {
  await harness.settleUntil(async () => (await harness.emailsTo(address)).length > 0);
  return harness.emailsTo(address);
}

const emailsReceived = (events: readonly CaseEvent[]) =>
  events.flatMap((event) => (event.type === 'email-received' ? [event] : []));

async function openAdasCaseWithKey() {
  const { key } = await deliver('multipart-alternative.eml');
  return { key, ...(await caseByReference('CMP-2026-000001')) };
}

type Page = (event: ApiEvent, context: never) => Promise<APIGatewayProxyStructuredResultV2>;

/** A console page as a signed-in handler gets it (the authorizer's claims, as the local runtime sends). */
function staffGet(
  page: Page,
  path: string,
  pathParameters: Record<string, string>,
  role: string | null = 'handler',
) {
  return page(
    apiEvent({
      rawPath: path,
      routeKey: `GET ${path}`,
      pathParameters,
      headers: { accept: 'text/html' },
      ...(role ? { claims: staffClaims(role) } : {}),
    }),
    lambdaContext,
  );
}

function staffPost(
  page: Page,
  path: string,
  pathParameters: Record<string, string>,
  form: Record<string, string | undefined>,
  role = 'handler',
) {
  return page(
    apiEvent({
      rawPath: path,
      routeKey: `POST ${path}`,
      pathParameters,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form as Record<string, string>).toString(),
      claims: staffClaims(role),
    }),
    lambdaContext,
  );
}

/** The references the staff case search (GET /staff/cases?q=) finds for this text. */
async function searchFor(q: string) {
  const response = await searchHandler(
    apiEvent({ routeKey: 'GET /staff/cases', queryStringParameters: { q }, claims: staffClaims('handler') }),
    lambdaContext,
  );
  expect(response.statusCode).toBe(200);
  return (JSON.parse(String(response.body)) as { cases: Array<{ reference: string }> }).cases.map(
    (found) => found.reference,
  );
}

/** Opens CMP-2026-000001 for Ada (ada@resident.example) from the multipart/alternative message. */
async function openAdasCase() {
  expect((await deliver('multipart-alternative.eml')).outcome).toBe('case-opened');
  return caseByReference('CMP-2026-000001');
}

describe('a new email to the complaints address', () => {
  it('opens a case: channel email, received when it arrived (not its Date header), From as complainant, receipt sent', async () => {
    const { receivedAt, key } = await deliver('multipart-alternative.eml');
    const { state } = await caseByReference('CMP-2026-000001');
    expect(state.channel).toBe('email');
    expect(state.receivedAt).toBe(receivedAt);
    expect(state.receivedAt.startsWith('2026-03-02')).toBe(true); // the Date header says 14 November 2025
    expect(state.complainant).toMatchObject({
      name: 'Ada Resident',
      email: 'ada@resident.example',
      preferredContact: 'email',
    });
    expect(state.complaint.whatHappened).toBe(
      'Boiler broken for three weeks\n\nMy boiler has been broken for three weeks and nobody has come to fix it. I have rung four times – please send an engineer.\n\nAda',
    );
    expect(state.email).toMatchObject({ messageId: 'ada-first-complaint@resident.example', rawKey: key });
    expect(state.email?.flags).toEqual([]);
    const receipts = await receiptsTo('ada@resident.example');
    expect(receipts.map((email) => email.subject)).toEqual([
      expect.stringMatching(/received your complaint.*CMP-2026-000001/i),
    ]);
    expect(receipts[0]?.body.text).toContain(`${harness.system.deps.urls.resident}/cases/`);
    // Staff find it by the sender's address.
    const found = await harness.deps.repository.listByContact(
      (await import('#shared/domain/secrets.ts')).contactHash(
        harness.deps.secrets.contactHashKey,
        'Ada@Resident.example',
      ),
    );
    expect(found.map((c) => c.reference)).toEqual(['CMP-2026-000001']);
  });

  it('turns an HTML-only body into plain text without its scripts and styles', async () => {
    await deliver('html-only.eml');
    const { state } = await caseByReference('CMP-2026-000001');
    const text = state.complaint.whatHappened;
    expect(text).toContain('There is black mould on the bedroom wall & ceiling.');
    expect(text).toContain('It came back two weeks after it was painted over.\nMy son has asthma.');
    expect(text).not.toMatch(/document\.cookie|evil\.example|color: red|display: none|<[a-z]/i);
  });

  it.each([
    [
      'iso-8859-1-qp.eml',
      'Chloé Beaumont',
      "Le chauffage ne marche plus depuis le 3 février. Très déçue du service après-vente, naïvement j'attendais mieux.",
    ],
    [
      'windows-1252-qp.eml',
      'Dan Okafor',
      'You charged me £85 twice for the same “repair” – and the € amount on the second invoice makes no sense.',
    ],
    [
      'base64-utf8.eml',
      'Siân Jones',
      "Mae'r ffenestr wedi torri ers mis. Siân – dw i wedi aros yn rhy hir. 🙁",
    ],
  ])('decodes %s', async (fixture, name, body) => {
    await deliver(fixture);
    const { state } = await caseByReference('CMP-2026-000001');
    expect(state.complainant.name).toBe(name);
    expect(state.complaint.whatHappened.endsWith(body)).toBe(true);
  });

  it('decodes an encoded-word subject', async () => {
    await deliver('base64-utf8.eml');
    const { state } = await caseByReference('CMP-2026-000001');
    expect(state.complaint.whatHappened.startsWith('Ffenestr wedi torri – broken window\n\n')).toBe(true);
  });

  it('attributes a forwarded complaint to the resident who wrote it, and flags the forwarder for staff', async () => {
    await deliver('forwarded.eml');
    const { state } = await caseByReference('CMP-2026-000001');
    expect(state.complainant).toMatchObject({ name: 'Eve Tenant', email: 'eve@resident.example' });
    expect(state.email?.forwardedBy?.address).toBe('olly.officer@landlord.example');
    expect(state.email?.flags).toEqual([
      expect.stringMatching(/Forwarded by olly\.officer@landlord\.example.*eve@resident\.example/),
    ]);
    expect(state.complaint.whatHappened).toContain('The front door lock has been broken since January');
    expect(await receiptsTo('eve@resident.example')).toHaveLength(1);
    expect(await harness.emailsTo('olly.officer@landlord.example')).toHaveLength(0);
    // Staff find it by either address: the resident's and the forwarder's.
    expect(await searchFor('eve@resident.example')).toEqual(['CMP-2026-000001']);
    expect(await searchFor('Olly.Officer@landlord.example')).toEqual(['CMP-2026-000001']);
  });

  it('stores attachments by the web form rules, notes the refused ones on the case and tells the resident', async () => {
    await deliver('attachments.eml');
    const { state } = await caseByReference('CMP-2026-000001');
    const stored = state.complaint.attachments ?? [];
    expect(stored.map((file) => [file.name, file.contentType])).toEqual([
      ['ceiling.jpg', 'image/jpeg'],
      ['your-letter.pdf', 'application/pdf'],
    ]);
    for (const file of stored) {
      const bytes = (await harness.deps.attachments.get(file.key))?.bytes ?? new Uint8Array();
      expect(bytes.length).toBe(file.size);
      const { createHash } = await import('node:crypto');
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
    }
    expect(state.email?.refusedAttachments).toEqual([
      { name: 'scan-of-everything.pdf', problem: 'scan-of-everything.pdf must be smaller than 3MB' },
      {
        name: 'photos.exe',
        problem: 'photos.exe must be a PDF, JPG, PNG, Word document (.docx) or text file (.txt)',
      },
    ]);
    const [receipt] = await receiptsTo('fay@resident.example');
    expect(receipt?.body.text).toContain('Files we could not keep');
    expect(receipt?.body.text).toContain('scan-of-everything.pdf must be smaller than 3MB');
    expect(receipt?.body.text).toContain('photos.exe must be a PDF, JPG, PNG');
  });

  it('flags a failing SPF or DMARC verdict for staff rather than trusting it', async () => {
    await deliver('dmarc-fail.eml');
    const { state } = await caseByReference('CMP-2026-000001');
    expect(state.email?.verdicts).toMatchObject({ spf: 'fail', dkim: 'none', dmarc: 'fail', spam: 'pass' });
    expect(state.email?.flags).toEqual([
      expect.stringMatching(/^It failed SPF/),
      expect.stringMatching(/^It failed DMARC/),
    ]);
  });
});

describe('messages that are recorded and ignored', () => {
  it.each([
    ['auto-reply.eml', 'auto-reply'],
    ['dsn-bounce.eml', 'bounce'],
    ['own-message.eml', 'own-message'],
  ])('%s opens no case and sends nothing', async (fixture, outcome) => {
    expect((await deliver(fixture)).outcome).toBe(outcome);
    expect(await allCases()).toEqual([]);
    expect(await harness.outbox()).toEqual([]);
  });

  it('an auto-reply to a case reply address is not added to the case', async () => {
    const { caseId } = await openAdasCase();
    expect((await deliver('auto-reply.eml')).outcome).toBe('auto-reply');
    expect(emailsReceived(await harness.events(caseId))).toEqual([]);
  });

  it('a virus verdict stores nothing from the message, not even the raw message', async () => {
    const { key, outcome } = await deliver('virus.eml');
    expect(outcome).toBe('virus');
    expect(await harness.deps.inboundEmail?.get(key)).toBeUndefined();
    expect(await allCases()).toEqual([]);
    expect(await harness.outbox()).toEqual([]);
  });

  it('processes the same Message-ID once', async () => {
    await openAdasCase();
    expect((await deliver('duplicate-message-id.eml')).outcome).toBe('duplicate');
    expect((await allCases()).map((c) => c.reference)).toEqual(['CMP-2026-000001']);
    expect(await receiptsTo('ada@resident.example')).toHaveLength(1);
  });

  it('is on the S3 stack: an event missing the fields S3 always sends is refused, and nothing is read', async () => {
    const event = s3ObjectCreated({ bucket: 'inbound', key: 'x.eml', size: 1, time: '2026-03-02T10:00:00Z' });
    const { source: _, ...notFromS3 } = event;
    await expect(handler(notFromS3, {} as never)).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('the same S3 notification delivered twice is processed once', async () => {
    const first = await deliver('multipart-alternative.eml');
    const event = s3ObjectCreated({
      bucket: 'inbound',
      key: first.key,
      size: 1,
      time: first.receivedAt,
    });
    const again = (await handler(event, {} as never)) as { outcome: string };
    expect(again.outcome).toBe('duplicate');
    expect(await allCases()).toHaveLength(1);
  });

  it('reads an object whose key has a plus, a space and a percent, whether the event key is URL-encoded or not', async () => {
    const raw = readFileSync(join(FIXTURES, 'multipart-alternative.eml'), 'latin1');
    const store = harness.deps.inboundEmail;
    if (!store) throw new Error('the local system has no inbound store');
    // As given (EventBridge's documented examples), then form-encoded as S3's direct notifications send it.
    const stored = ['inbound/a+b c%41.eml', 'inbound/d+e f%42.eml'];
    const sent = ['inbound/a+b c%41.eml', 'inbound/d%2Be+f%2542.eml'];
    for (const [index, key] of stored.entries()) {
      const message = raw.replace('<ada-first-complaint@', `<ada-${index}@`);
      await store.put(key, Buffer.from(message, 'latin1'), 'message/rfc822');
      const event = s3ObjectCreated({
        bucket: 'inbound',
        key: sent[index] ?? '',
        size: 1,
        time: '2026-03-02T10:00:00Z',
      });
      expect(((await handler(event, {} as never)) as { outcome: string }).outcome).toBe('case-opened');
    }
    const cases = await allCases();
    // Each case keeps the key the raw message is really stored under, so staff can download it.
    expect(cases.map((state) => state.email?.rawKey)).toEqual(stored);
  });
});

describe('replies thread onto the case', () => {
  it('by In-Reply-To a message we sent, with the quoted history trimmed, and the handler is alerted', async () => {
    const { caseId } = await openAdasCase();
    await receiptsTo('ada@resident.example');
    const receipt = (await harness.events(caseId)).find((event) => event.type === 'correspondence-sent');
    const sentId = receipt?.type === 'correspondence-sent' ? receipt.messageId : undefined;
    expect(sentId).toBeTruthy();
    expect((await deliver('reply-in-reply-to.eml', { '%SENT_MESSAGE_ID%': sentId ?? '' })).outcome).toBe(
      'threaded',
    );
    const [reply] = emailsReceived(await harness.events(caseId));
    expect(reply).toMatchObject({
      threadedBy: 'message-id',
      fromComplainant: true,
      from: { address: 'ada@resident.example', name: 'Ada Resident' },
      text: 'The engineer still has not come. I have had to buy two electric heaters.',
    });
    expect(await allCases()).toHaveLength(1);
    const alerts = await harness.emailsTo(harness.deps.staffAddresses.handler);
    expect(alerts.map((email) => email.subject)).toContainEqual(
      expect.stringMatching(/^Email received: .* - complaint CMP-2026-000001$/),
    );
  });

  it('by the per-case reply address our letters carry in Reply-To', async () => {
    const { caseId } = await openAdasCase();
    expect((await deliver('reply-plus-address.eml')).outcome).toBe('threaded');
    const [reply] = emailsReceived(await harness.events(caseId));
    expect(reply?.threadedBy).toBe('reply-address');
    expect(reply?.text).toBe("Here is the photo of the boiler's error code you asked for: F28.");
  });

  it('by a reference in the subject only when the sender is a contact of that case', async () => {
    const { caseId } = await openAdasCase();
    expect((await deliver('reference-subject-known.eml')).outcome).toBe('threaded');
    expect(emailsReceived(await harness.events(caseId)).map((e) => e.threadedBy)).toEqual(['reference']);

    // A stranger quoting Ada's reference is held for staff: not on Ada's case, and no case of its own.
    expect((await deliver('reference-subject-stranger.eml')).outcome).toBe('held');
    expect(emailsReceived(await harness.events(caseId))).toHaveLength(1);
    expect(await allCases()).toHaveLength(1);
    const [held] = await harness.deps.repository.listHeldEmails();
    expect(held?.held?.reasons).toEqual([
      'It quotes reference CMP-2026-000001, but the sender is not a contact of that case',
    ]);
    expect((await harness.state(caseId)).complainant.email).toBe('ada@resident.example');
  });

  it("records a CC'd neighbour's reply as from the neighbour, and Ada stays the complainant", async () => {
    const { caseId } = await openAdasCase();
    expect((await deliver('cc-third-party.eml')).outcome).toBe('threaded');
    const state = await harness.state(caseId);
    expect(state.complainant).toMatchObject({ name: 'Ada Resident', email: 'ada@resident.example' });
    expect(state.emails).toEqual([
      expect.objectContaining({
        from: { address: 'nia@resident.example', name: 'Nia Neighbour' },
        fromComplainant: false,
      }),
    ]);
    expect(emailsReceived(await harness.events(caseId))[0]?.text).toBe(
      "I live next door: the noise from Ada's boiler keeps my children awake too.",
    );
    // Staff find the case by the neighbour's address as well as Ada's; the neighbour's later events keep it so.
    expect(await searchFor('Nia@Resident.example')).toEqual(['CMP-2026-000001']);
    expect(await searchFor('ada@resident.example')).toEqual(['CMP-2026-000001']);
    await harness.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    expect(await searchFor('nia@resident.example')).toEqual(['CMP-2026-000001']);
  });
});

describe('a reply after the stage 1 response', () => {
  it('is offered to staff as a stage 2 request; one action confirms it and the clock starts at its receipt', async () => {
    const { caseId } = await openAdasCase();
    await harness.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await harness.act(caseId, staff.handler, harness.acknowledgement(1));
    await harness.act(caseId, staff.handler, harness.response(1));
    await harness.advance(DAY);
    const { receivedAt } = await deliver('stage2-reply.eml');
    const offered = await harness.state(caseId);
    expect(offered.status).toBe('stage1-responded');
    expect(offered.possibleEscalation).toEqual({
      messageId: 'ada-not-happy@resident.example',
      receivedAt,
      from: { address: 'ada@resident.example', name: 'Ada Resident' },
    });
    const alert = (await harness.emailsTo(harness.deps.staffAddresses.handler)).find((email) =>
      email.subject.startsWith('Email received'),
    );
    expect(alert?.body.text).toMatch(/may be a request for stage 2/);

    await harness.advance(3 * DAY);
    // The console offers the reply with one button; pressing it (its form as the page has it) confirms it.
    const page = await staffGet(casePage, `/staff/case/${caseId}`, { caseId });
    const confirm = String(page.body).match(
      /data-testid="confirm-stage-2-form"[\s\S]*?<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/,
    );
    expect(confirm?.[2]).toContain('Confirm as stage 2 request');
    const fields = Object.fromEntries(
      [...(confirm?.[2] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1],
        m[2]?.replaceAll('&#64;', '@').replaceAll('&amp;', '&'),
      ]),
    );
    expect(fields).toMatchObject({ action: 'escalate', 'from-email': 'ada-not-happy@resident.example' });
    const pressed = await staffPost(taskAction, String(confirm?.[1]), { caseId }, fields);
    expect(pressed.statusCode).toBe(303);
    await harness.system.settle();
    const escalated = await harness.state(caseId);
    expect(escalated.status).toBe('stage2-acknowledgement');
    expect(escalated.stage2.escalationRequestedAt).toBe(receivedAt);
    expect(escalated.stage2.acknowledgement).toEqual(
      harness.deps.context.clocks.stage2Acknowledgement(receivedAt),
    );
    expect(escalated.possibleEscalation).toBeUndefined();
  });

  it('after the window to ask ended: staff record it as refused, dated by its receipt, and the reports count it', async () => {
    // The baseline sets no window; this landlord gives residents 20 working days to ask (as Amplius does).
    await harness.stop();
    const windowed = {
      ...loadProfile('code-baseline'),
      escalationWindow: { amount: 20, unit: 'working-days' },
    };
    harness = await Harness.start({ profile: windowed as ProviderProfile });
    const { caseId } = await openAdasCase();
    await harness.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await harness.act(caseId, staff.handler, harness.acknowledgement(1));
    await harness.act(caseId, staff.handler, harness.response(1));
    const window = (await harness.state(caseId)).escalationWindow;
    await harness.advanceTo(new Date(Date.parse(window?.dueAt ?? '') + DAY).toISOString());
    await harness.settleUntil(async () => (await harness.state(caseId)).status === 'closed');
    expect((await harness.state(caseId)).closureReason).toBe('escalation-window-ended');
    const { receivedAt } = await deliver('stage2-reply.eml');
    expect((await harness.state(caseId)).possibleEscalation).toBeUndefined();

    // The case page offers the late reply; choosing it records the refusal, dated when the email arrived.
    const page = await staffGet(casePage, `/staff/case/${caseId}`, { caseId });
    const refuse = String(page.body).match(
      /data-testid="refuse-escalation-form"[\s\S]*?<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/,
    );
    expect(refuse?.[2]).toContain('value="ada-not-happy@resident.example"');
    const hiddenFields = Object.fromEntries(
      [...(refuse?.[2] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    const pressed = await staffPost(
      recordOnCase,
      String(refuse?.[1]),
      { caseId },
      { ...hiddenFields, 'refuse-escalation-from': 'ada-not-happy@resident.example' },
    );
    expect(pressed.statusCode).toBe(303);
    const refused = (await harness.events(caseId)).filter((event) => event.type === 'escalation-refused');
    expect(refused).toEqual([
      expect.objectContaining({
        reason: 'out-of-time',
        windowEndedAt: window?.dueAt,
        requestedAt: receivedAt,
        fromEmail: 'ada-not-happy@resident.example',
        by: expect.objectContaining({ kind: 'staff' }),
      }),
    ]);
    expect((await harness.state(caseId)).escalationRefusals).toHaveLength(1);
    const { figures } = await staffReport(harness.deps, 'manager', {});
    expect(figures.escalationRefusals).toEqual({ total: 1, byReason: { 'out-of-time': 1 } });
    // Once per case: a second decision (the resident phoned as well) is refused, saying why.
    const again = await staffPost(
      recordOnCase,
      String(refuse?.[1]),
      { caseId },
      { ...hiddenFields, 'refuse-escalation-from': 'another-way' },
    );
    expect(again.statusCode).toBe(422);
    expect(String(again.body)).toMatch(/A refused stage 2 request is already recorded on CMP-2026-000001/);
  });

  it('lets staff download each raw email as received, as an attachment, and records the access', async () => {
    const { caseId, key } = await openAdasCaseWithKey();
    const page = await staffGet(casePage, `/staff/case/${caseId}`, { caseId });
    expect(String(page.body)).toMatch(/by email/);
    expect(String(page.body)).toContain(`href="/staff/case/${caseId}/emails/0" data-testid="raw-email"`);
    const download = await staffGet(downloadEmail, `/staff/case/${caseId}/emails/0`, { caseId, index: '0' });
    expect(download.statusCode).toBe(200);
    expect(download.headers?.['content-type']).toBe('message/rfc822');
    expect(download.headers?.['content-disposition']).toMatch(
      /^attachment; filename="CMP-2026-000001-email-1\.eml"/,
    );
    const stored = await harness.deps.inboundEmail?.get(key);
    expect(Buffer.from(String(download.body), 'base64').equals(Buffer.from(stored?.bytes ?? []))).toBe(true);
    const accesses = (await harness.events(caseId)).filter((event) => event.type === 'raw-email-downloaded');
    expect(accesses).toEqual([
      expect.objectContaining({
        messageId: 'ada-first-complaint@resident.example',
        by: expect.objectContaining({ kind: 'staff' }),
      }),
    ]);
    const missing = await staffGet(downloadEmail, `/staff/case/${caseId}/emails/1`, { caseId, index: '1' });
    expect(missing.statusCode).toBe(404);
    const anonymous = await staffGet(
      downloadEmail,
      `/staff/case/${caseId}/emails/0`,
      { caseId, index: '0' },
      null,
    );
    expect(anonymous.statusCode).not.toBe(200);
  });

  it('a reply from someone else is not offered as a stage 2 request', async () => {
    const { caseId } = await openAdasCase();
    await harness.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await harness.act(caseId, staff.handler, harness.acknowledgement(1));
    await harness.act(caseId, staff.handler, harness.response(1));
    await deliver('cc-third-party.eml');
    expect((await harness.state(caseId)).possibleEscalation).toBeUndefined();
  });
});

describe('email held for staff', () => {
  /** Delivers the stranger's message (Ada's reference in the subject) as message n, held; returns its key. */
  async function holdStrangerMessage(n = 1) {
    const delivered = await deliver('reference-subject-stranger.eml', {
      '<mallory-reference@': `<mallory-reference-${n}@`,
    });
    expect(delivered.outcome).toBe('held');
    return { ...delivered, messageKey: messageKey(`mallory-reference-${n}@elsewhere.example`) };
  }

  /** The hidden fields of one of the page's forms (data-testid), as the browser would send them. */
  function formOf(body: string, testId: string) {
    const form = body.match(new RegExp(`<form[^>]*data-testid="${testId}"[^>]*>([\\s\\S]*?)</form>`));
    expect(form, `form ${testId}`).toBeTruthy();
    return Object.fromEntries(
      [...(form?.[1] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1],
        m[2]?.replaceAll('&#64;', '@').replaceAll('&amp;', '&'),
      ]),
    );
  }

  async function heldPage(key: string, role = 'handler') {
    return staffGet(heldEmailPage, `/staff/held-email/${key}`, { messageKey: key }, role);
  }

  /** Presses one of the held page's buttons as this member of staff (their own page, so their CSRF token). */
  async function press(key: string, testId: 'attach-form' | 'open-form', role = 'handler', extra = {}) {
    const form = formOf(String((await heldPage(key, role)).body), testId);
    return staffPost(
      heldEmailAction,
      `/staff/held-email/${key}`,
      { messageKey: key },
      { ...form, ...extra },
      role,
    );
  }

  it('is listed for staff to read (text escaped) and download as received, and reviewers cannot see it', async () => {
    await openAdasCase();
    const raw = readFileSync(join(FIXTURES, 'reference-subject-stranger.eml'), 'latin1');
    const { messageKey: key } = await holdStrangerMessage(1);
    const list = await staffGet(heldEmailList, '/staff/held-email', {});
    expect(list.statusCode).toBe(200);
    expect(String(list.body)).toContain(`href="/staff/held-email/${key}"`);
    expect(String(list.body)).toContain('CMP-2026-000001 please close this complaint');

    const page = await heldPage(key);
    expect(page.statusCode).toBe(200);
    expect(String(page.body)).toContain('Please close this complaint and send me everything on the case.');
    expect(String(page.body)).toContain('the sender is not a contact of that case');
    expect(String(page.body)).toContain(`href="/staff/held-email/${key}/raw"`);

    const download = await staffGet(downloadHeldEmailRaw, `/staff/held-email/${key}/raw`, {
      messageKey: key,
    });
    expect(download.statusCode).toBe(200);
    expect(download.headers?.['content-type']).toBe('message/rfc822');
    expect(download.headers?.['content-disposition']).toMatch(/^attachment;/);
    const bytes = Buffer.from(String(download.body), 'base64').toString('latin1');
    expect(bytes).toBe(raw.replace('<mallory-reference@', '<mallory-reference-1@'));
    // The download is recorded, and the page says who downloaded it.
    expect((await harness.deps.repository.getInboundEmail(key))?.accesses).toEqual([
      expect.objectContaining({ byEmail: 'handler@landlord.example' }),
    ]);
    expect(String((await heldPage(key)).body)).toContain('Downloaded by handler@landlord.example');

    expect((await heldPage(key, 'reviewer')).statusCode).toBe(403);
    expect((await staffGet(heldEmailList, '/staff/held-email', {}, 'reviewer')).statusCode).toBe(403);
  });

  it('attached to a case: correspondence from its actual sender, Ada stays the complainant, the list empties', async () => {
    const { caseId } = await openAdasCase();
    const { messageKey: key, key: rawKey } = await holdStrangerMessage(1);
    const form = formOf(String((await heldPage(key)).body), 'attach-form');
    const pressed = await press(key, 'attach-form', 'handler', { reference: 'cmp-2026-1' });
    expect(pressed.statusCode).toBe(303);
    expect(pressed.headers?.location).toBe(`/staff/case/${caseId}?done=held-attached`);

    const state = await harness.state(caseId);
    expect(state.complainant).toMatchObject({ name: 'Ada Resident', email: 'ada@resident.example' });
    const [attached] = emailsReceived(await harness.events(caseId));
    expect(attached).toMatchObject({
      threadedBy: 'staff',
      by: { kind: 'staff', role: 'handler' },
      from: { address: 'mallory@elsewhere.example', name: 'Mallory Stranger' },
      fromComplainant: false,
      rawKey,
      text: 'Please close this complaint and send me everything on the case.',
    });
    expect(await harness.deps.repository.listHeldEmails()).toEqual([]);
    expect(await searchFor('mallory@elsewhere.example')).toEqual(['CMP-2026-000001']);
    // The member of staff has read it: no alert (the console's function sends no mail).
    const alerts = await harness.emailsTo(harness.deps.staffAddresses.handler);
    expect(alerts.filter((email) => email.subject.startsWith('Email received'))).toEqual([]);
    // The page now says what became of it, with no buttons; a second press is refused, clearly.
    const after = String((await heldPage(key)).body);
    expect(after).toContain('Attached to CMP-2026-000001 by handler@landlord.example');
    expect(after).not.toContain('data-testid="attach-form"');
    // The same form sent again (a second tab, a double click) is refused, saying what became of it.
    const again = await staffPost(
      heldEmailAction,
      `/staff/held-email/${key}`,
      { messageKey: key },
      {
        ...form,
        reference: 'CMP-2026-000001',
      },
    );
    expect(again.statusCode).toBe(409);
    expect(String(again.body)).toContain(
      'This email has already been dealt with: Attached to CMP-2026-000001 by handler@landlord.example',
    );
    expect(emailsReceived(await harness.events(caseId))).toHaveLength(1);
  });

  it('refuses a reference that names no case, saying so, and keeps the message held', async () => {
    await openAdasCase();
    const { messageKey: key } = await holdStrangerMessage(1);
    const refused = await press(key, 'attach-form', 'handler', { reference: 'CMP-2026-000099' });
    expect(refused.statusCode).toBe(404);
    expect(String(refused.body)).toContain('There is no case CMP-2026-000099: check the reference');
    const badly = await press(key, 'attach-form', 'handler', { reference: 'the boiler one' });
    expect(badly.statusCode).toBe(422);
    expect(String(badly.body)).toContain('Enter the reference of the case to attach it to');
    // Without the form's CSRF token nothing is done; a reviewer's own token does not let them act on it.
    const path = `/staff/held-email/${key}`;
    const noToken = await staffPost(heldEmailAction, path, { messageKey: key }, { action: 'open' });
    expect(noToken.statusCode).toBe(403);
    const reviewer = csrfToken({
      deps: harness.deps,
      event: apiEvent({}),
      staff: { id: staffClaims('reviewer').sub },
    } as never);
    const asReviewer = await staffPost(
      heldEmailAction,
      path,
      { messageKey: key },
      { action: 'open', csrf: reviewer },
      'reviewer',
    );
    expect(asReviewer.statusCode).toBe(403);
    expect(String(asReviewer.body)).toContain('a reviewer cannot read or act on it');
    expect(await harness.deps.repository.listHeldEmails()).toHaveLength(1);
  });

  it('opened as a new case: channel email, received when the message arrived, its sender the complainant', async () => {
    await openAdasCase();
    const { messageKey: key, receivedAt } = await holdStrangerMessage(1);
    await harness.advance(2 * DAY); // staff get to it later: the complaint still dates from its arrival
    const pressed = await press(key, 'open-form');
    expect(pressed.statusCode).toBe(303);
    const opened = await caseByReference('CMP-2026-000002');
    expect(pressed.headers?.location).toBe(`/staff/case/${opened.caseId}?done=held-opened`);
    expect(opened.state).toMatchObject({ channel: 'email', receivedAt });
    expect(opened.state.complainant).toMatchObject({
      email: 'mallory@elsewhere.example',
      name: 'Mallory Stranger',
    });
    expect(opened.events[0]?.by).toMatchObject({ kind: 'staff', role: 'handler' });
    expect(opened.state.email?.flags).toEqual([
      'It quotes reference CMP-2026-000001, but the sender is not a contact of that case',
    ]);
    expect(await receiptsTo('mallory@elsewhere.example')).toHaveLength(1);
    expect(await harness.deps.repository.listHeldEmails()).toEqual([]);
  });

  // Twelve rounds, each an intake and two page loads and posts: longer than the default limit on a loaded machine.
  it('two members of staff acting on one held message at once: one wins, the other is told, every time', async () => {
    const { caseId } = await openAdasCase();
    for (let n = 1; n <= 12; n++) {
      const { messageKey: key } = await holdStrangerMessage(n);
      // Hannah adds it to Ada's case while Mo opens a case from it (or, every third time, adds it too).
      const [hannah, mo] = await Promise.all([
        press(key, 'attach-form', 'handler', { reference: 'CMP-2026-000001' }),
        n % 3 === 0
          ? press(key, 'attach-form', 'manager', { reference: 'CMP-2026-000001' })
          : press(key, 'open-form', 'manager'),
      ]);
      const statuses = [hannah.statusCode, mo.statusCode].sort();
      expect(statuses, `round ${n}`).toEqual([303, 409]);
      const loser = hannah.statusCode === 409 ? hannah : mo;
      expect(String(loser.body)).toMatch(
        /is already (attaching it to a case|opening a new case from it)|has already been dealt with/,
      );
    }
    await harness.system.settle();
    // Each message went one way only: onto Ada's case, or into a case of its own, never both.
    const attached = emailsReceived(await harness.events(caseId)).map((email) => email.messageId);
    const opened = (await allCases())
      .filter((state) => state.caseId !== caseId)
      .map((state) => state.email?.messageId);
    expect(new Set([...attached, ...opened]).size).toBe(12);
    expect(attached.length + opened.length).toBe(12);
    expect(await harness.deps.repository.listHeldEmails()).toEqual([]);
  }, 180_000);

  it('a reply to a case whose records were anonymised is held for staff, not lost', async () => {
    const { caseId } = await openAdasCase();
    await harness.act(caseId, staff.handler, harness.serviceRequest());
    await harness.system.settle();
    await anonymiseCase(harness.deps, caseId, 'erasure', staff.manager);
    const reply = await deliver('reply-plus-address.eml');
    expect(reply.outcome).toBe('held');
    const [held] = await harness.deps.repository.listHeldEmails();
    expect(held?.held?.reasons).toEqual([
      expect.stringMatching(
        /^It replies to CMP-2026-000001, whose records were anonymised on \d{4}-\d{2}-\d{2}/,
      ),
    ]);
    expect(held?.held?.text).toContain("Here is the photo of the boiler's error code you asked for: F28.");
    expect(emailsReceived(await harness.events(caseId))).toHaveLength(0);
  });

  it('anonymising the case leaves none of its people in the table: emails, held email, sent ids; a stopped run is finished by the next', async () => {
    // A web complaint with a phone number, a reply threaded by a letter's id, one by the reply address, and a
    // stranger's held message attached by staff: every way a person's words reach the table.
    const ada = { ...complaint, complainant: { ...complaint.complainant, phone: '07700 900123' } };
    const { caseId } = await harness.submit(ada);
    await receiptsTo('ada@resident.example');
    const receipt = (await harness.events(caseId)).find((event) => event.type === 'correspondence-sent');
    const sentId = receipt?.type === 'correspondence-sent' ? (receipt.messageId ?? '') : '';
    expect(sentId).not.toBe('');
    expect((await deliver('reply-in-reply-to.eml', { '%SENT_MESSAGE_ID%': sentId })).outcome).toBe(
      'threaded',
    );
    expect((await deliver('reply-plus-address.eml')).outcome).toBe('threaded');
    const { messageKey: heldKey } = await holdStrangerMessage(1);
    await attachHeldEmail(harness.deps, heldKey, 'CMP-2026-000001', {
      ...staff.handler,
      email: staff.handler.id,
    });
    await harness.act(caseId, staff.handler, harness.serviceRequest());
    expect((await harness.state(caseId)).status).toBe('closed');

    const personal = [
      'Ada Resident',
      'ada@resident.example',
      '07700 900123',
      'My boiler has been broken for three weeks',
      'Fix the boiler and compensate me',
      'The engineer still has not come',
      'error code you asked for: F28',
      'We have received your complaint',
      'Mallory Stranger',
      'mallory@elsewhere.example',
      'please close this complaint',
      'send me everything on the case',
      'ada-reply-threaded@resident.example',
      'ada-reply-plus@resident.example',
      'mallory-reference-1@elsewhere.example',
      'Engineer booked for Thursday',
      sentId,
    ];
    const documents = createDocumentClient(harness.system.dynamo);
    const table = async () => {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new ScanCommand({ TableName: LOCAL_TABLE, ExclusiveStartKey: start, ConsistentRead: true }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    };
    const found = (items: Record<string, unknown>[]) => {
      const text = JSON.stringify(items);
      return personal.filter((value) => text.includes(value));
    };
    const inboundKeys = ['ada-reply-threaded@resident.example', 'ada-reply-plus@resident.example'].map(
      (id) => `INBOUND#${messageKey(id)}`,
    );
    const item = (items: Record<string, unknown>[], pk: string) => items.find((each) => each.pk === pk);
    const before = await table();
    expect(found(before)).toEqual(personal);
    // Beside the case's own items: the held message's record holds its text, and the sent id is remembered.
    expect(JSON.stringify(item(before, `INBOUND#${heldKey}`))).toContain('send me everything on the case');
    expect(item(before, `OUTBOUND#${messageKey(sentId)}`)).toMatchObject({ caseId });

    // The run stops part-way: one inbound record's write fails (after the case is recorded as anonymised).
    new DynamoWatch().attach(harness.system.dynamo).failNthWrite({
      nth: 2,
      operation: 'UpdateItem',
      keyPrefix: 'INBOUND#',
      error: new Error('Rate of requests exceeds the allowed throughput'),
    });
    await expect(anonymiseCase(harness.deps, caseId, 'erasure', staff.manager)).rejects.toThrow(
      /allowed throughput/,
    );
    await anonymiseCase(harness.deps, caseId, 'erasure', staff.manager);

    const after = await table();
    expect(found(after)).toEqual([]);
    // Each inbound record stays, hashed, with what became of it; the sent id's record is gone.
    for (const pk of [...inboundKeys, `INBOUND#${heldKey}`]) {
      expect(item(after, pk)).toMatchObject({ outcome: 'threaded', caseId, messageId: '[removed]' });
      expect(item(after, pk)).not.toHaveProperty('held');
    }
    expect(item(after, `OUTBOUND#${messageKey(sentId)}`)).toBeUndefined();
    // So the same message delivered again is still recognised, and not opened as a case a second time.
    expect((await deliver('reply-plus-address.eml')).outcome).toBe('duplicate');
    expect(await allCases()).toHaveLength(1);
  });

  it('a legal hold keeps the raw emails past the inbound expiry until the case is anonymised', async () => {
    const { caseId, key } = await openAdasCaseWithKey();
    const store = harness.deps.inboundEmail;
    if (!store) throw new Error('the local system has no inbound store');
    const hold = { action: 'legal-hold', reason: 'County court claim K00LS123' };
    // Only a hold the case accepts keeps anything: a handler's is refused, and nothing is copied.
    await expect(recordCaseAction(harness.deps, caseId, staff.handler, hold)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await store.get(heldCopyKey(key))).toBeUndefined();

    await recordCaseAction(harness.deps, caseId, staff.manager, hold);
    const original = await store.get(key);
    expect(await store.get(heldCopyKey(key))).toEqual(original);
    // A reply arriving while the case is held is kept too.
    const reply = await deliver('reply-plus-address.eml');
    expect(reply.outcome).toBe('threaded');
    expect(await store.get(heldCopyKey(reply.key))).toEqual(await store.get(reply.key));

    // The bucket's expiry (receipt + rawEmail + 2 years) takes the originals; staff still download them.
    await store.delete(key);
    await store.delete(reply.key);
    const download = await staffGet(downloadEmail, `/staff/case/${caseId}/emails/0`, { caseId, index: '0' });
    expect(download.statusCode).toBe(200);
    expect(Buffer.from(String(download.body), 'base64').equals(Buffer.from(original?.bytes ?? []))).toBe(
      true,
    );

    // Released, the copies stay: the case's own retention decides now, and anonymising it deletes them.
    await recordCaseAction(harness.deps, caseId, staff.manager, {
      action: 'release-legal-hold',
      reason: 'Claim settled',
    });
    expect(await store.get(heldCopyKey(key))).toBeDefined();
    await harness.act(caseId, staff.handler, harness.serviceRequest());
    await anonymiseCase(harness.deps, caseId, 'retention', staff.manager);
    expect(await store.get(heldCopyKey(key))).toBeUndefined();
    expect(await store.get(heldCopyKey(reply.key))).toBeUndefined();
  });

  it("a hold refused because an erasure anonymised the case between its copy's read and write leaves no copy", async () => {
    const { caseId, key } = await openAdasCaseWithKey();
    await harness.act(caseId, staff.handler, harness.serviceRequest());
    await harness.system.settle();
    const store = harness.deps.inboundEmail;
    if (!store) throw new Error('the local system has no inbound store');
    // The store the hold copies through: once the original is read, the erasure runs (deleting the case's
    // files, copies included) before the copy is written, as a racing erasure or retention run would.
    let erased = false;
    const racing: AttachmentStore = {
      put: (at, bytes, type) => store.put(at, bytes, type),
      delete: (at) => store.delete(at),
      get: async (at) => {
        const stored = await store.get(at);
        if (at === key && !erased) {
          erased = true;
          await anonymiseCase(harness.deps, caseId, 'erasure', staff.manager);
        }
        return stored;
      },
    };
    const hold = { action: 'legal-hold', reason: 'County court claim K00LS123' };
    await expect(
      recordCaseAction({ ...harness.deps, inboundEmail: racing }, caseId, staff.manager, hold),
    ).rejects.toMatchObject({ code: 'ANONYMISED' });
    expect(erased).toBe(true);
    expect((await harness.events(caseId)).map((event) => event.type)).toContain('anonymised');
    expect(await store.get(key)).toBeUndefined();
    expect(await store.get(heldCopyKey(key))).toBeUndefined();
  });

  it("a message staff attach to a held case, anonymised between its copy's read and write, leaves no copy", async () => {
    const { caseId } = await openAdasCase();
    await harness.act(caseId, staff.handler, harness.serviceRequest());
    await harness.system.settle();
    await recordCaseAction(harness.deps, caseId, staff.manager, {
      action: 'legal-hold',
      reason: 'County court claim K00LS123',
    });
    const { key, messageKey: heldKey } = await holdStrangerMessage(1);
    const store = harness.deps.inboundEmail;
    if (!store) throw new Error('the local system has no inbound store');
    // Attached while the case is held, the message's raw email is copied to held/. Once the copy has read it,
    // and before it writes, the hold is released and an erasure anonymises the case (deleting the original
    // and any copy there is then): a copy written after would keep the sender's email for good.
    const race = interleave(
      store,
      'put',
      async () => {
        await recordCaseAction(harness.deps, caseId, staff.manager, {
          action: 'release-legal-hold',
          reason: 'Claim settled',
        });
        return anonymiseCase(harness.deps, caseId, 'erasure', staff.manager);
      },
      (at) => at === heldCopyKey(key),
    );

    const attached = await attachHeldEmail(
      { ...harness.deps, inboundEmail: race.wrapped },
      heldKey,
      'CMP-2026-000001',
      staff.handler,
    );

    expect(attached.caseId).toBe(caseId);
    expect(race.settled()).toMatchObject({
      status: 'fulfilled',
      value: { anonymised: { trigger: 'erasure' } },
    });
    const types = (await harness.events(caseId)).map((event) => event.type);
    expect(types.indexOf('email-received')).toBeLessThan(types.indexOf('anonymised'));
    expect(await store.get(key)).toBeUndefined();
    expect(await store.get(heldCopyKey(key))).toBeUndefined();
    // Nor is the sender or their words left in the case or the message's own record (its outcome, written after).
    const kept = [await harness.events(caseId), await harness.deps.repository.getInboundEmail(heldKey)];
    expect(JSON.stringify(kept)).not.toMatch(/Mallory|elsewhere\.example|send me everything/);
  });

  it('a message to a reply address with a wrong signature is held, never threaded', async () => {
    const { caseId } = await openAdasCase();
    const forged = await deliver('reply-plus-address.eml', {
      'complaints+cmp-2026-000001.16129be36de9@': 'complaints+cmp-2026-000001.000000000000@',
    });
    expect(forged.outcome).toBe('held');
    expect(emailsReceived(await harness.events(caseId))).toHaveLength(0);
    const [held] = await harness.deps.repository.listHeldEmails();
    expect(held?.held?.reasons).toEqual([
      'It was sent to a reply address for CMP-2026-000001 whose signature is wrong (altered or made up)',
    ]);
  });
});
