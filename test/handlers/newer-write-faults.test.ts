import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as intake } from '#functions/email/intake.ts';
import { dependencies } from '#functions/lib/config.ts';
import { s3ObjectCreated } from '#functions/lib/s3-events.ts';
import { annualReportAction, improvementsAction, improvementsPage } from '#functions/web/report-pages.ts';
import { csrfToken } from '#functions/web/staff-auth.ts';
import {
  downloadEmail,
  downloadHeldEmailRaw,
  evidencePack,
  heldEmailAction,
} from '#functions/web/staff-pages.ts';
import type { CaseEvent } from '#shared/domain/case.ts';
import { messageKey } from '#shared/domain/email.ts';
import { CODE_PROVISIONS } from '#shared/domain/reporting/annual.ts';
import { HELD_CLAIM_LEASE_MS } from '#shared/usecases/held-email.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { apiEvent, lambdaContext, staffClaims, storeEmailFixture, useLocalAws } from './setup.ts';

/**
 * DynamoDB throttling and server errors on the write paths added after test/handlers/faults.test.ts and
 * write-faults.test.ts: acting on held email (attach to a case, open as a new case), the recorded downloads
 * (a case's raw email, a held email's, the evidence pack), approving the annual report and the improvements
 * register. Each write is refused in turn: the member of staff gets a 503 saying to try again (never a 4xx
 * blaming them, never a bare 500, never the bytes of an unrecorded download), nothing is half-done, and the
 * retry records it exactly once. Also the held email claim's lease: a holder who stops part-way no longer
 * keeps the message from everyone else.
 */
const aws = useLocalAws();

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds the allowed throughput',
    $metadata: {},
  });
const serverError = () => new InternalServerError({ message: 'Internal server error', $metadata: {} });

beforeEach(() => {
  // Read when the dependencies are first built, in each test (setup resets them).
  process.env.INBOUND_EMAIL_DIR = mkdtempSync(join(tmpdir(), 'inbound-'));
});

let keys = 0;
async function newCase() {
  return submitComplaint(
    await dependencies(),
    {
      complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
      complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' },
    },
    `newer-fault-${String(++keys).padStart(4, '0')}`,
    { kind: 'resident', id: 'web-form' },
  );
}

async function events(caseId: string): Promise<CaseEvent[]> {
  return (await dependencies()).repository.loadEvents(caseId);
}

/** Receives a fixture as SES would (stored, then the S3 notification), its Message-ID made unique. */
async function receive(name: string, messageId: string, replacements: Record<string, string> = {}) {
  const { key, size } = await storeEmailFixture(name, messageId, replacements);
  const outcome = (await intake(
    s3ObjectCreated({ bucket: 'inbound', key, size, time: '2026-03-02T09:59:00.000Z' }),
    lambdaContext,
  )) as { outcome: string };
  return { key, outcome: outcome.outcome };
}

/** A stranger's message quoting the reference of the first case: held for staff. Returns its key. */
async function heldMessage(n: number, reference: string): Promise<string> {
  const messageId = `held-${n}@elsewhere.example`;
  const { outcome } = await receive('reference-subject-stranger.eml', messageId, {
    'CMP-2026-000001': reference,
  });
  expect(outcome).toBe('held');
  return messageKey(messageId);
}

type Page = (event: never, context: never) => Promise<APIGatewayProxyStructuredResultV2>;

/** A staff page request as the member of staff with this role (and email) sends it, with their CSRF token. */
async function staffRequest(
  page: Page,
  options: {
    method: 'GET' | 'POST';
    path: string;
    pathParameters?: Record<string, string>;
    form?: Record<string, string>;
    role?: string;
    email?: string;
  },
) {
  const claims = staffClaims(options.role ?? 'handler', options.email);
  const csrf = csrfToken({ deps: await dependencies(), event: apiEvent({}), staff: { id: claims.sub } });
  const response = await page(
    apiEvent({
      rawPath: options.path,
      routeKey: `${options.method} ${options.path}`,
      pathParameters: options.pathParameters,
      headers: options.form
        ? { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }
        : { accept: 'text/html' },
      body: options.form ? new URLSearchParams({ csrf, ...options.form }).toString() : undefined,
      claims,
    }) as never,
    lambdaContext,
  );
  return {
    status: response.statusCode ?? 0,
    body: String(response.body ?? ''),
    headers: response.headers ?? {},
  };
}

/** What staff see when DynamoDB gave up: a 503 that says to try again, and no blame on their input. */
function expectTryAgain(
  answer: { status: number; body: string; headers: Record<string, unknown> },
  what: string,
) {
  expect(answer.status, `${what}: ${answer.body.slice(0, 300)}`).toBe(503);
  expect(answer.body, what).toMatch(/try again/);
  expect(answer.body, what).not.toMatch(/There is no|must be|already been dealt with|is already/);
  // Never a download whose access was not recorded.
  expect(String(answer.headers['content-disposition'] ?? ''), what).not.toMatch(/attachment/);
}

/** The writes one successful run of `act` makes (the count each fault sweep refuses in turn). */
async function writesOf(act: () => Promise<unknown>): Promise<number> {
  const from = aws().dynamo.calls.length;
  await act();
  return aws()
    .dynamo.calls.slice(from)
    .filter((call) => /^(Put|Update|Delete)Item$|^TransactWriteItems$/.test(call.operation)).length;
}

type WrittenKey = { pk?: string; sk?: string };
/** The one write whose failure intake rightly ignores: the reference counter is a hint. */
const referenceCounter = (key: WrittenKey) => /^COUNTER#/.test(key.pk ?? '');
/** An access is recorded by its event: what is written after it (the projection) may lag behind. */
const afterTheEvent = (key: WrittenKey) => !/^EVT#/.test(key.sk ?? '');

/**
 * Refuses each of the `total` writes of `act` in turn (throttled or a 5xx, alternately) on a fresh `setup`:
 * the answer is a 503 "try again", and the retry succeeds (or, for a write whose failure is rightly
 * ignored, it succeeds at once); `check` then says it was recorded once.
 */
async function faultEachWrite<T>(
  total: number,
  setup: (nth: number) => Promise<T>,
  act: (subject: T) => Promise<{ status: number; body: string; headers: Record<string, unknown> }>,
  check: (subject: T, nth: number) => Promise<void>,
  succeeded: number[] = [303],
  ignorable: (key: WrittenKey) => boolean = referenceCounter,
) {
  expect(total).toBeGreaterThan(0);
  for (let nth = 1; nth <= total; nth++) {
    const subject = await setup(nth);
    const from = aws().dynamo.calls.length;
    aws().dynamo.failNthWrite({ nth, error: nth % 2 ? throttled : serverError });
    const first = await act(subject);
    if (first.status !== 503) {
      const failed = aws()
        .dynamo.calls.slice(from)
        .filter((call) => /^(Put|Update|Delete)Item$/.test(call.operation))[nth - 1]?.input as
        | { Key?: WrittenKey; Item?: WrittenKey }
        | undefined;
      expect(ignorable(failed?.Key ?? failed?.Item ?? {}), `write ${nth}: ${first.status}`).toBe(true);
      expect(succeeded).toContain(first.status);
    } else {
      expectTryAgain(first, `write ${nth} of ${total}`);
      const retry = await act(subject);
      expect(succeeded, `retry after write ${nth}: ${retry.body.slice(0, 300)}`).toContain(retry.status);
    }
    await check(subject, nth);
  }
}

describe('held email under DynamoDB write faults', () => {
  const attach = (key: string, reference: string, role = 'handler', email?: string) =>
    staffRequest(heldEmailAction as Page, {
      method: 'POST',
      path: `/staff/held-email/${key}`,
      pathParameters: { messageKey: key },
      form: { action: 'attach', reference },
      role,
      ...(email ? { email } : {}),
    });
  const open = (key: string, role = 'handler', email?: string) =>
    staffRequest(heldEmailAction as Page, {
      method: 'POST',
      path: `/staff/held-email/${key}`,
      pathParameters: { messageKey: key },
      form: { action: 'open' },
      role,
      ...(email ? { email } : {}),
    });
  const repliesOn = async (caseId: string, messageId: string) =>
    (await events(caseId)).filter(
      (event) => event.type === 'email-received' && event.messageId === messageId,
    );

  it('attached to a case: each write refused in turn answers 503, and the retry attaches it once', async () => {
    const { caseId, reference } = await newCase();
    const first = await heldMessage(0, reference);
    const total = await writesOf(() => attach(first, reference));
    await faultEachWrite(
      total,
      (nth) => heldMessage(nth, reference),
      (key) => attach(key, reference),
      async (key, nth) => {
        expect(await repliesOn(caseId, `held-${nth}@elsewhere.example`), `write ${nth}`).toHaveLength(1);
        expect((await (await dependencies()).repository.getInboundEmail(key))?.outcome).toBe('threaded');
      },
    );
    expect(await (await dependencies()).repository.listHeldEmails()).toEqual([]);
  });

  it('opened as a new case: each write refused in turn answers 503, and the retry opens one case', async () => {
    const { reference } = await newCase();
    const first = await heldMessage(0, reference);
    const total = await writesOf(() => open(first));
    await faultEachWrite(
      total,
      (nth) => heldMessage(nth, reference),
      (key) => open(key),
      async (key, nth) => {
        const cases = (await aws().table.items()).filter(
          (item) =>
            item.sk === 'PROJECTION' &&
            (item.state as { email?: { messageId?: string } }).email?.messageId ===
              `held-${nth}@elsewhere.example`,
        );
        expect(cases, `write ${nth}`).toHaveLength(1);
        expect((await events(String(cases[0]?.caseId))).map((event) => event.type)).toEqual(['received']);
        expect((await (await dependencies()).repository.getInboundEmail(key))?.outcome).toBe('case-opened');
      },
    );
    // One reference per case opened, none skipped.
    const references = (await aws().table.items())
      .filter((item) => item.sk === 'PROJECTION')
      .map((item) => String(item.reference))
      .sort();
    expect(references).toEqual(references.map((_, i) => `CMP-2026-${String(i + 1).padStart(6, '0')}`));
  });

  it('a claim whose holder stopped part-way: others are told to wait, and after the lease one of them finishes it, once', async () => {
    const { caseId, reference } = await newCase();
    const other = await newCase();
    const rounds = 10;
    for (let n = 1; n <= rounds; n++) {
      const key = await heldMessage(n, reference);
      const messageId = `held-${n}@elsewhere.example`;
      // Hannah's attach stops after its claim: the reply's write is refused, and she never tries again.
      aws().dynamo.failNthWrite({ nth: 2, error: serverError });
      expectTryAgain(await attach(key, reference, 'handler', 'hannah@landlord.example'), `round ${n}`);
      // Within the lease: nobody else may act on it, and they are told why and when they can.
      const early = await attach(key, reference, 'manager', 'mo@landlord.example');
      expect(early.status).toBe(409);
      expect(early.body).toContain('hannah@landlord.example is already attaching it to a case');
      expect(early.body).toContain(
        `anyone can finish it ${HELD_CLAIM_LEASE_MS / 60_000} minutes after they started`,
      );
      vi.setSystemTime(Date.now() + HELD_CLAIM_LEASE_MS + 1000);
      // After it: other work (a new case, another case) is refused, saying how to finish hers.
      const otherWork = await (n % 2
        ? open(key, 'manager', 'mo@landlord.example')
        : attach(key, other.reference, 'manager', 'mo@landlord.example'));
      expect(otherWork.status).toBe(409);
      expect(otherWork.body).toContain(
        `hannah@landlord.example started attaching it to ${reference} and did not finish: to finish, add it to ${reference}`,
      );
      // Mo and Harry both finish it at once: one does, the other is told, and it is on the case once.
      const [mo, harry] = await Promise.all([
        attach(key, reference, 'manager', 'mo@landlord.example'),
        attach(key, reference, 'handler', 'harry@landlord.example'),
      ]);
      expect([mo.status, harry.status].sort(), `round ${n}`).toEqual([303, 409]);
      const loser = mo.status === 409 ? mo : harry;
      expect(loser.body).toMatch(/is already attaching it to a case|has already been dealt with/);
      expect(await repliesOn(caseId, messageId), `round ${n}`).toHaveLength(1);
      expect(await repliesOn(other.caseId, messageId)).toHaveLength(0);
      expect((await (await dependencies()).repository.getInboundEmail(key))?.outcome).toBe('threaded');
    }
    expect(await (await dependencies()).repository.listHeldEmails()).toEqual([]);
  });

  it('a held email opened part-way is finished by another after the lease: one case', async () => {
    const { reference } = await newCase();
    const key = await heldMessage(1, reference);
    // The claim, then the intake's key claim; the third write (its reference) is refused.
    aws().dynamo.failNthWrite({ nth: 3, error: throttled });
    expectTryAgain(await open(key, 'handler', 'hannah@landlord.example'), 'open');
    expect((await open(key, 'manager', 'mo@landlord.example')).status).toBe(409);
    vi.setSystemTime(Date.now() + HELD_CLAIM_LEASE_MS + 1000);
    expect((await open(key, 'manager', 'mo@landlord.example')).status).toBe(303);
    const opened = (await aws().table.items()).filter(
      (item) =>
        item.sk === 'PROJECTION' &&
        (item.state as { email?: { messageId?: string } }).email?.messageId === 'held-1@elsewhere.example',
    );
    expect(opened).toHaveLength(1);
    expect(opened[0]?.reference).toBe('CMP-2026-000002');
  });
});

describe('recorded downloads under DynamoDB write faults', () => {
  it("a case's raw email: no bytes until the download is recorded; the retry records it once", async () => {
    const download = (caseId: string) =>
      staffRequest(downloadEmail as Page, {
        method: 'GET',
        path: `/staff/case/${caseId}/emails/0`,
        pathParameters: { caseId, index: '0' },
      });
    const caseByEmail = async (n: number) => {
      const { outcome } = await receive('multipart-alternative.eml', `opened-${n}@resident.example`);
      expect(outcome).toBe('case-opened');
      const found = (await aws().table.items()).find(
        (item) =>
          item.sk === 'PROJECTION' &&
          (item.state as { email?: { messageId?: string } }).email?.messageId ===
            `opened-${n}@resident.example`,
      );
      return String(found?.caseId);
    };
    const first = await caseByEmail(0);
    const total = await writesOf(() => download(first));
    await faultEachWrite(
      total,
      caseByEmail,
      download,
      async (caseId, nth) => {
        const recorded = (await events(caseId)).filter((event) => event.type === 'raw-email-downloaded');
        expect(recorded, `write ${nth}`).toHaveLength(1);
      },
      [200],
      afterTheEvent,
    );
  });

  it("a held email's raw message: no bytes until the access is recorded; the retry records it once", async () => {
    const { reference } = await newCase();
    const download = (key: string) =>
      staffRequest(downloadHeldEmailRaw as Page, {
        method: 'GET',
        path: `/staff/held-email/${key}/raw`,
        pathParameters: { messageKey: key },
      });
    const first = await heldMessage(0, reference);
    const total = await writesOf(() => download(first));
    await faultEachWrite(
      total,
      (nth) => heldMessage(nth, reference),
      download,
      async (key, nth) => {
        const record = await (await dependencies()).repository.getInboundEmail(key);
        expect(record?.accesses, `write ${nth}`).toHaveLength(1);
      },
      [200],
    );
  });

  it('the evidence pack (document and ZIP): nothing until it is recorded; the retry records it once', async () => {
    for (const format of ['html', 'zip']) {
      const pack = (caseId: string) =>
        staffRequest(evidencePack as Page, {
          method: 'POST',
          path: `/staff/case/${caseId}/evidence-pack`,
          pathParameters: { caseId },
          form: { format },
        });
      const first = (await newCase()).caseId;
      const total = await writesOf(() => pack(first));
      await faultEachWrite(
        total,
        async () => (await newCase()).caseId,
        pack,
        async (caseId, nth) => {
          const recorded = (await events(caseId)).filter((event) => event.type === 'evidence-pack-prepared');
          expect(recorded, `${format}, write ${nth}`).toHaveLength(1);
        },
        [200],
        afterTheEvent,
      );
    }
  });
});

describe('the annual report and the improvements register under DynamoDB write faults', () => {
  const REPORTS = '/staff/reports/annual';

  /** Every provision answered and the governing body's response given: ready to approve, at draft version 1. */
  async function readyToApprove() {
    const form: Record<string, string> = {
      year: '2025',
      version: '0',
      intent: 'save',
      governingBodyResponse: 'The board accepts the report.',
    };
    CODE_PROVISIONS.forEach((provision, index) => {
      form[`sa${index}-complies`] = 'yes';
      form[`sa${index}-evidence`] = `Evidence for ${provision.id}`;
    });
    const saved = await staffRequest(annualReportAction as Page, {
      method: 'POST',
      path: REPORTS,
      form,
      role: 'manager',
    });
    expect(saved.status, saved.body.slice(0, 300)).toBe(303);
  }
  const approve = () =>
    staffRequest(annualReportAction as Page, {
      method: 'POST',
      path: REPORTS,
      form: { year: '2025', version: '1', intent: 'approve' },
      role: 'manager',
    });
  const approved = async () => (await dependencies()).reporting.listApprovedReports('2025');

  it('approving: each write refused in turn answers 503 with nothing approved; the retry approves one version', async () => {
    await readyToApprove();
    const total = await writesOf(approve);
    expect((await approved()).map((report) => report.version)).toEqual([1]);
    await faultEachWrite(
      total,
      async () => (await approved()).length,
      approve,
      async (before, nth) => {
        expect(
          (await approved()).map((report) => report.version),
          `write ${nth}`,
        ).toEqual(Array.from({ length: before + 1 }, (_, i) => i + 1));
      },
    );
  });

  /** The add form's hidden key, as the register page (or the form shown again) carries it. */
  const keyOn = (body: string) => /name="idempotencyKey" value="([^"]+)"/.exec(body)?.[1] ?? '';
  const freshKey = async () =>
    keyOn(
      (
        await staffRequest(improvementsPage as Page, {
          method: 'GET',
          path: '/staff/improvements',
          role: 'manager',
        })
      ).body,
    );
  const addImprovement = (reference: string, whatChanged: string, idempotencyKey: string) =>
    staffRequest(improvementsAction as Page, {
      method: 'POST',
      path: '/staff/improvements',
      form: {
        intent: 'add',
        idempotencyKey,
        whatChanged,
        owner: 'Repairs manager',
        caseReferences: reference,
        'due-day': '1',
        'due-month': '6',
        'due-year': '2026',
      },
      role: 'manager',
    });
  const register = async () => (await dependencies()).reporting.listImprovements();

  it('the improvements register: adding or marking done, each write refused in turn, is recorded once on retry', async () => {
    const { reference } = await newCase();
    const total = await writesOf(async () =>
      addImprovement(reference, 'Surveys within 5 days', await freshKey()),
    );
    await faultEachWrite(
      total,
      async (nth) => ({ whatChanged: `Change ${nth}`, key: await freshKey() }),
      async (subject) => {
        const answer = await addImprovement(reference, subject.whatChanged, subject.key);
        // The form comes back with what was typed and its key, so the retry is one press.
        if (answer.status === 503) {
          expect(answer.body).toContain(subject.whatChanged);
          expect(keyOn(answer.body)).toBe(subject.key);
        }
        return answer;
      },
      async ({ whatChanged }, nth) => {
        expect(
          (await register()).filter((i) => i.whatChanged === whatChanged),
          `write ${nth}`,
        ).toHaveLength(1);
      },
    );
    const done = (improvementId: string) =>
      staffRequest(improvementsAction as Page, {
        method: 'POST',
        path: '/staff/improvements',
        form: { intent: 'done', improvementId, doneDate: '2026-03-02' },
        role: 'manager',
      });
    const first = (await register())[0];
    const doneWrites = await writesOf(() => done(String(first?.improvementId)));
    await faultEachWrite(
      doneWrites,
      async (nth) => String((await register())[nth]?.improvementId),
      done,
      async (improvementId, nth) => {
        const marked = (await register()).find((i) => i.improvementId === improvementId);
        expect(marked, `write ${nth}`).toMatchObject({ doneDate: '2026-03-02', version: 2 });
      },
    );
  });

  it('adding an improvement, sent again after its answer was lost, is recorded once; the key with other text is a 409', async () => {
    const { reference } = await newCase();
    const key = await freshKey();
    const first = await addImprovement(reference, 'Damp surveys within 5 days', key);
    expect(first.status, first.body.slice(0, 300)).toBe(303);
    // The answer never reached the browser: the manager presses the button again on the same form.
    const retry = await addImprovement(reference, 'Damp surveys within 5 days', key);
    expect(retry.status, retry.body.slice(0, 300)).toBe(303);
    expect((await register()).map((i) => i.whatChanged)).toEqual(['Damp surveys within 5 days']);

    // The same form's key with different text (edited after going back) is not a retry: a 409 saying so, and
    // the form shown again with a new key, so sending it again adds the new text.
    const edited = await addImprovement(reference, 'Mould surveys within 3 days', key);
    expect(edited.status).toBe(409);
    expect(edited.body).toContain('already used to add a different improvement');
    expect(edited.body).toContain('Mould surveys within 3 days');
    const next = keyOn(edited.body);
    expect(next).not.toBe(key);
    expect((await addImprovement(reference, 'Mould surveys within 3 days', next)).status).toBe(303);
    expect((await register()).map((i) => i.whatChanged).sort()).toEqual([
      'Damp surveys within 5 days',
      'Mould surveys within 3 days',
    ]);
  });

  it('the same improvement sent twice at once is recorded once, both answered as added (20 rounds)', async () => {
    const { reference } = await newCase();
    for (let round = 1; round <= 20; round++) {
      const key = await freshKey();
      const whatChanged = `Race ${round}`;
      const answers = await Promise.all([
        addImprovement(reference, whatChanged, key),
        addImprovement(reference, whatChanged, key),
      ]);
      expect(
        answers.map((answer) => answer.status),
        `round ${round}: ${answers.map((answer) => answer.body.slice(0, 200)).join(' | ')}`,
      ).toEqual([303, 303]);
      expect(
        (await register()).filter((i) => i.whatChanged === whatChanged),
        `round ${round}`,
      ).toHaveLength(1);
    }
  });
});
