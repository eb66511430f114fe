import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, DynamoDbCaseStore } from '#shared/adapters/dynamodb-case-store.ts';
import { parseEmail } from '#shared/adapters/mime.ts';
import type { CaseEvent } from '#shared/domain/case.ts';
import { heldCopyKey } from '#shared/domain/records.ts';
import { recordCaseAction } from '#shared/usecases/actions.ts';
import { loadCase } from '#shared/usecases/case-log.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { receiveEmail } from '#shared/usecases/email-intake.ts';
import { decideErasure } from '#shared/usecases/erasure.ts';
import { runRetention } from '#shared/usecases/retention.ts';
import { type LocalDynamo, startDynalite } from '../support/dynamodb.ts';
import { MemoryAttachmentStore } from '../support/fakes/attachments.ts';
import { fakeDependencies } from '../support/fakes/dependencies.ts';
import {
  expectAnonymisedAndGone,
  expectHeldAndKept,
  interleave,
  outcome,
  rawKey,
  seedClosedEmailCase,
} from '../support/races.ts';
import { manager } from '../support/report-population.ts';

/**
 * A reply arriving by email on a case under a legal hold keeps a `held/` copy of its raw email
 * (`keepRawEmailsForReply`), while the hold can be released and the case anonymised (an erasure, the retention
 * job). Each order is forced: the anonymisation is run to completion at a chosen call of the reply's intake.
 * What must hold in every order: no `held/` copy of the reply outlives the anonymisation, and when the case is
 * not anonymised the reply is recorded and both its raw email and its copy are kept.
 */
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

const reason = 'Claim K00LS123';
// Named after the case, so expectAnonymisedAndGone's "no file of the case left" covers the reply's too.
const REPLY_KEY = 'inbound/race-reply.eml';
const REPLY_TEXT = 'Writing again about my complaint: there is still no heating.';

/** Ada's reply quoting her reference (so it threads onto her case), as SES stored it. */
const replyBytes = Buffer.from(
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'email', 'reference-subject-known.eml'), 'latin1')
    .replaceAll('ada@resident.example', 'ada@example.com')
    .replaceAll('ada-reference-only@', 'race-reply@'),
  'latin1',
);

/**
 * The closed email case of the race helpers, under a legal hold, past its six years' retention, with Ada's
 * reply waiting in the inbound store.
 */
async function racing() {
  const tableName = await dynamo.createTable();
  const store = new DynamoDbCaseStore(tableName, createDocumentClient(dynamo.client()), 0);
  const faked = fakeDependencies({ repository: store });
  faked.clock.set('2032-06-01T10:00:00Z');
  const inboundEmail = new MemoryAttachmentStore();
  const deps = { ...faked.deps, inboundEmail };
  await seedClosedEmailCase(deps, 'race');
  await deps.repository.saveReference('CMP-2026-000001', 'race');
  await recordCaseAction(deps, 'race', manager, { action: 'legal-hold', reason });
  await inboundEmail.put(REPLY_KEY, replyBytes, 'message/rfc822');
  return deps;
}
type Deps = Awaited<ReturnType<typeof racing>>;

const reply = async (deps: AppDependencies) =>
  receiveEmail(deps, await parseEmail(replyBytes, '2032-06-01T10:00:00Z'), REPLY_KEY);

/** What anonymises the case, the hold released first (neither runs on a held case). */
const anonymisers: Record<'erasure' | 'retention', (deps: Deps) => Promise<unknown>> = {
  erasure: async (deps) => {
    await recordCaseAction(deps, 'race', manager, { action: 'release-legal-hold', reason: 'Claim settled' });
    return decideErasure(deps, 'race', manager, {
      requestedOn: '2032-05-30',
      decision: 'granted',
      reason: 'The resident asked in writing',
    });
  },
  retention: async (deps) => {
    await recordCaseAction(deps, 'race', manager, { action: 'release-legal-hold', reason: 'Claim settled' });
    const report = await runRetention(deps, { dryRun: false });
    // A run that failed on the case reports it rather than throwing: the race must see it anonymised.
    expect(report.items).toEqual([
      expect.objectContaining({ caseId: 'race', step: expect.objectContaining({ action: 'anonymise' }) }),
    ]);
    expect(report.items[0]).not.toHaveProperty('failed');
    return report;
  },
};

const appending =
  (type: CaseEvent['type']) =>
  (_caseId: string, _seq: number, event: CaseEvent): boolean =>
    event.type === type;

/**
 * The points in the reply's intake at which the other side (`other`) runs to completion, and what the reply
 * came to. `before` and `after` run one side, then the other.
 */
type Side = (
  deps: Deps,
  other: (deps: Deps) => Promise<unknown>,
) => Promise<{ replied: unknown; other: unknown }>;
const points = {
  'before the reply arrives': async (deps, other) => {
    const first = await outcome(other(deps));
    return { other: first, replied: await outcome(reply(deps)) };
  },
  "between the reply's read of the case and its write (email-received)": async (deps, other) => {
    const race = interleave(deps.repository, 'appendEvent', () => other(deps), appending('email-received'));
    const replied = await outcome(reply({ ...deps, repository: race.wrapped }));
    return { other: race.settled(), replied };
  },
  "between the reply's write and its copy's read of the raw email": async (deps, other) => {
    const race = interleave(
      deps.inboundEmail,
      'get',
      () => other(deps),
      (key) => key === REPLY_KEY,
    );
    const replied = await outcome(reply({ ...deps, inboundEmail: race.wrapped }));
    return { other: race.settled(), replied };
  },
  "between the copy's read of the raw email and its write to held/": async (deps, other) => {
    const race = interleave(
      deps.inboundEmail,
      'put',
      () => other(deps),
      (key) => key === heldCopyKey(REPLY_KEY),
    );
    const replied = await outcome(reply({ ...deps, inboundEmail: race.wrapped }));
    return { other: race.settled(), replied };
  },
  "between the copy's write and the reply's read of the case again": async (deps, other) => {
    // The next read of the log once the copy exists is keepRawEmailsForReply's.
    const race = interleave(
      deps.repository,
      'loadEvents',
      () => other(deps),
      () => deps.inboundEmail.files.has(heldCopyKey(REPLY_KEY)),
    );
    const replied = await outcome(reply({ ...deps, repository: race.wrapped }));
    return { other: race.settled(), replied };
  },
  'after the reply is recorded and its copy kept': async (deps, other) => {
    const replied = await outcome(reply(deps));
    return { replied, other: await outcome(other(deps)) };
  },
} satisfies Record<string, Side>;
type Point = keyof typeof points;

const threaded = { status: 'fulfilled', value: { outcome: 'threaded', caseId: 'race' } };
/** The reply's event, before the anonymisation in the log (and scrubbed by it). */
async function expectReplyAnonymised(deps: Deps) {
  const types = (await loadCase(deps, 'race')).events.map((event) => event.type);
  expect(types).toContain('email-received');
  expect(types.indexOf('email-received')).toBeLessThan(types.indexOf('anonymised'));
  expect(JSON.stringify((await loadCase(deps, 'race')).events)).not.toContain('still no heating');
}

describe.each(['erasure', 'retention'] as const)(
  'a reply to a held case racing its release and anonymisation by %s, each order forced',
  (trigger) => {
    const anonymise = anonymisers[trigger];

    it('before the reply arrives: the reply is held for staff (not lost), and no copy of it is made', async () => {
      const deps = await racing();
      const { replied, other } = await points['before the reply arrives'](deps, anonymise);

      expect(other).toMatchObject({ status: 'fulfilled' });
      expect(replied).toMatchObject({ status: 'fulfilled', value: { outcome: 'held' } });
      const [held] = await deps.repository.listHeldEmails();
      expect(held?.held?.text).toContain(REPLY_TEXT);
      expect(await deps.inboundEmail.get(REPLY_KEY)).toBeDefined();
      expect(await deps.inboundEmail.get(heldCopyKey(REPLY_KEY))).toBeUndefined();
      expect(await deps.inboundEmail.get(rawKey('race'))).toBeUndefined();
      expect(await deps.inboundEmail.get(heldCopyKey(rawKey('race')))).toBeUndefined();
    });

    it("between the reply's read of the case and its write: refused, and held for staff when SES delivers it again", async () => {
      const deps = await racing();
      const { replied, other } = await points[
        "between the reply's read of the case and its write (email-received)"
      ](deps, anonymise);

      expect(other).toMatchObject({ status: 'fulfilled' });
      expect(replied).toMatchObject({ status: 'rejected', reason: { code: 'ANONYMISED' } });
      expect((await loadCase(deps, 'race')).events.map((event) => event.type)).not.toContain(
        'email-received',
      );
      expect(await deps.inboundEmail.get(heldCopyKey(REPLY_KEY))).toBeUndefined();
      // The failed intake is retried (S3's notification, Lambda's retries): the reply is not lost.
      expect(await reply(deps)).toMatchObject({ outcome: 'held' });
      const [held] = await deps.repository.listHeldEmails();
      expect(held?.held?.text).toContain(REPLY_TEXT);
      expect(await deps.inboundEmail.get(REPLY_KEY)).toBeDefined();
      expect(await deps.inboundEmail.get(heldCopyKey(REPLY_KEY))).toBeUndefined();
    });

    it.each([
      "between the reply's write and its copy's read of the raw email",
      "between the copy's read of the raw email and its write to held/",
      "between the copy's write and the reply's read of the case again",
      'after the reply is recorded and its copy kept',
    ] satisfies Point[])(
      '%s: the reply is recorded, then anonymised with the case, and no copy of it is left',
      async (point) => {
        const deps = await racing();
        const { replied, other } = await points[point](deps, anonymise);

        expect(other).toMatchObject({ status: 'fulfilled' });
        expect(replied).toMatchObject(threaded);
        await expectReplyAnonymised(deps);
        await expectAnonymisedAndGone(deps, 'race', { released: true });
      },
    );
  },
);

describe('a reply to a held case racing an erasure the hold refuses, each order forced', () => {
  const refusedErasure = (deps: Deps) =>
    decideErasure(deps, 'race', manager, {
      requestedOn: '2032-05-30',
      decision: 'granted',
      reason: 'The resident asked in writing',
    });

  it.each([
    "between the reply's read of the case and its write (email-received)",
    "between the reply's write and its copy's read of the raw email",
    "between the copy's read of the raw email and its write to held/",
    "between the copy's write and the reply's read of the case again",
  ] satisfies Point[])(
    '%s: the reply is recorded, and its raw email and its copy are kept',
    async (point) => {
      const deps = await racing();
      const { replied, other } = await points[point](deps, refusedErasure);

      expect(other).toMatchObject({ status: 'rejected', reason: { code: 'LEGAL_HOLD' } });
      expect(replied).toMatchObject(threaded);
      await expectHeldAndKept(deps, 'race', reason);
      const { events } = await loadCase(deps, 'race');
      expect(events.filter((event) => event.type === 'email-received')).toMatchObject([
        { rawKey: REPLY_KEY, text: REPLY_TEXT },
      ]);
      const raw = await deps.inboundEmail.get(REPLY_KEY);
      expect(raw).toBeDefined();
      expect(await deps.inboundEmail.get(heldCopyKey(REPLY_KEY))).toEqual(raw);
    },
  );
});
