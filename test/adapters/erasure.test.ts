import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, DynamoDbCaseStore } from '#shared/adapters/dynamodb-case-store.ts';
import { type CaseEvent, foldCase } from '#shared/domain/case.ts';
import { nameHashes } from '#shared/domain/secrets.ts';
import { recordCaseAction } from '#shared/usecases/actions.ts';
import { caseLookups, loadCase } from '#shared/usecases/case-log.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { decideErasure } from '#shared/usecases/erasure.ts';
import { staffReport } from '#shared/usecases/report.ts';
import { type LocalDynamo, startDynalite } from '../support/dynamodb.ts';
import { MemoryAttachmentStore } from '../support/fakes/attachments.ts';
import { fakeDependencies } from '../support/fakes/dependencies.ts';
import { handler } from '../support/fixtures.ts';
import {
  expectAnonymisedAndGone,
  expectHeldAndKept,
  interleave,
  outcome,
  seedClosedEmailCase,
} from '../support/races.ts';
import { manager, period, populations } from '../support/report-population.ts';

/** Erasure on request against dynalite: the real conditional writes decide a race with a legal hold. */
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

async function withStore() {
  const tableName = await dynamo.createTable();
  const store = new DynamoDbCaseStore(tableName, createDocumentClient(dynamo.client()), 0);
  const faked = fakeDependencies({ repository: store });
  faked.clock.set('2027-05-03T10:00:00Z');
  return faked;
}

/** Stores a case's events, projection and search entries as its writes would have. */
async function store(deps: AppDependencies, caseId: string, events: readonly CaseEvent[]) {
  for (const [index, event] of events.entries()) await deps.repository.appendEvent(caseId, index + 1, event);
  const state = foldCase(caseId, [...events], deps.context);
  await deps.repository.saveProjection(state, caseLookups(deps, state));
  await deps.repository.addLookups(state, caseLookups(deps, state));
  return state;
}

/** CMP-C (withdrawn: closed) with a photo and a letter; CMP-D (service request: closed); CMP-F still open. */
async function seed(faked: Awaited<ReturnType<typeof withStore>>) {
  const withPhoto = (populations['CMP-C'] ?? []).map(
    (event): CaseEvent =>
      event.type === 'received'
        ? {
            ...event,
            complaint: {
              ...event.complaint,
              attachments: [
                { name: 'mould.jpg', contentType: 'image/jpeg', size: 3, key: 'c/mould.jpg', sha256: 'x' },
              ],
            },
          }
        : event,
  );
  await store(faked.deps, 'cmp-c', withPhoto);
  for (const reference of ['CMP-A', 'CMP-B', 'CMP-D', 'CMP-F'])
    await store(faked.deps, reference.toLowerCase(), populations[reference] ?? []);
  await faked.attachments.put('c/mould.jpg', new Uint8Array([1, 2, 3]), 'image/jpeg');
  await faked.letters.put('cmp-c/ack-1.txt', 'Dear Ada Resident');
}

const byName = (deps: AppDependencies) =>
  deps.repository
    .listByName(nameHashes(deps.secrets.contactHashKey, 'Ada Resident')[0] ?? '')
    .then((found) => found.map((state) => state.caseId).sort());

const request = (decision: 'granted' | 'refused', reason = 'The resident asked in writing') => ({
  requestedOn: '2027-05-01',
  decision,
  reason,
});

describe('erasure on request (dynalite)', () => {
  it('granted: the case is anonymised as retention does, search and files forget it, the figures stay', async () => {
    const faked = await withStore();
    const { deps } = faked;
    await seed(faked);
    const before = (await staffReport(deps, 'manager', period)).figures;
    expect(await byName(deps)).toContain('cmp-c');

    const state = await decideErasure(deps, 'cmp-c', manager, request('granted'));

    expect(state.anonymised?.trigger).toBe('erasure');
    const { events } = await loadCase(deps, 'cmp-c');
    expect(events.slice(-2)).toMatchObject([
      { type: 'erasure-decided', decision: 'granted', requestedOn: '2027-05-01', by: { id: 'manager-1' } },
      { type: 'anonymised', trigger: 'erasure', counts: { attachments: 1, letters: 0 } },
    ]);
    expect(JSON.stringify([events, await deps.repository.getProjection('cmp-c')])).not.toMatch(
      /Ada Resident|ada@example\.com|fence is broken|Sorted out|mould\.jpg|asked in writing/,
    );
    expect(await byName(deps)).not.toContain('cmp-c');
    expect(await byName(deps)).toContain('cmp-d');
    expect(await faked.attachments.get('c/mould.jpg')).toBeUndefined();
    expect(faked.letters.letters.has('cmp-c/ack-1.txt')).toBe(false);
    expect((await staffReport(deps, 'manager', period)).figures).toEqual(before);
    // Asked again: nothing is left to erase, and the caller is told so.
    await expect(decideErasure(deps, 'cmp-c', manager, request('granted'))).rejects.toMatchObject({
      code: 'ANONYMISED',
    });
  });

  it('erasure refused under a legal hold: the refusal and its reason are recorded, nothing is removed', async () => {
    const faked = await withStore();
    const { deps } = faked;
    await seed(faked);
    await recordCaseAction(deps, 'cmp-c', manager, { action: 'legal-hold', reason: 'Claim K00LS123' });

    await expect(decideErasure(deps, 'cmp-c', manager, request('granted'))).rejects.toMatchObject({
      code: 'LEGAL_HOLD',
      message: expect.stringContaining('under a legal hold (Claim K00LS123)'),
    });

    const { state, events } = await loadCase(deps, 'cmp-c');
    expect(state.anonymised).toBeUndefined();
    expect(state.complainant.name).toBe('Ada Resident');
    expect(events.at(-1)).toMatchObject({
      type: 'erasure-decided',
      decision: 'refused',
      blockedBy: 'legal-hold',
      reason: expect.stringContaining('Claim K00LS123'),
    });
    expect(events.some((event) => event.type === 'anonymised')).toBe(false);
    expect(await faked.attachments.get('c/mould.jpg')).toBeDefined();
    expect(await byName(deps)).toContain('cmp-c');
  });

  it('refuses while the case is open, records a refusal staff decide, and is for managers and admins', async () => {
    const faked = await withStore();
    const { deps } = faked;
    await seed(faked);

    await expect(decideErasure(deps, 'cmp-f', manager, request('granted'))).rejects.toMatchObject({
      code: 'CASE_OPEN',
      message: expect.stringContaining('still open'),
    });
    expect((await loadCase(deps, 'cmp-f')).events.at(-1)).toMatchObject({
      type: 'erasure-decided',
      decision: 'refused',
      blockedBy: 'open-case',
    });

    const refused = await decideErasure(
      deps,
      'cmp-d',
      manager,
      request('refused', 'Needed to defend a disrepair claim'),
    );
    expect(refused.anonymised).toBeUndefined();
    expect((await loadCase(deps, 'cmp-d')).events.at(-1)).toMatchObject({
      type: 'erasure-decided',
      decision: 'refused',
      reason: 'Needed to defend a disrepair claim',
    });

    const seq = (await loadCase(deps, 'cmp-d')).state.seq;
    await expect(decideErasure(deps, 'cmp-d', handler, request('granted'))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      decideErasure(deps, 'cmp-d', manager, { ...request('granted'), requestedOn: '1 May' }),
    ).rejects.toThrow(/requestedOn/);
    // A date the request cannot have been made on: after today (the Clock port: 3 May 2027, London), or before
    // the case was received (1 July 2026). Refused whatever the decision, saying what to enter instead.
    for (const decision of ['granted', 'refused'] as const) {
      await expect(
        decideErasure(deps, 'cmp-d', manager, { ...request(decision), requestedOn: '2027-05-04' }),
      ).rejects.toMatchObject({
        issues: [
          {
            path: ['requestedOn'],
            message:
              'Tuesday 4 May 2027 is after today: enter the date the resident made the request, today (Monday 3 May 2027) or earlier',
          },
        ],
      });
      await expect(
        decideErasure(deps, 'cmp-d', manager, { ...request(decision), requestedOn: '2026-06-30' }),
      ).rejects.toMatchObject({
        issues: [
          {
            path: ['requestedOn'],
            message:
              'Tuesday 30 June 2026 is before the case was received on Wednesday 1 July 2026: enter the date the resident made the request, Wednesday 1 July 2026 or later',
          },
        ],
      });
    }
    expect((await loadCase(deps, 'cmp-d')).state.seq).toBe(seq);
    // The first and last days it could have been made on are both accepted.
    await decideErasure(deps, 'cmp-d', manager, { ...request('refused'), requestedOn: '2026-07-01' });
    await decideErasure(deps, 'cmp-d', manager, { ...request('refused'), requestedOn: '2027-05-03' });
    expect((await loadCase(deps, 'cmp-d')).state.seq).toBe(seq + 2);
  });
});

describe('erasure racing a legal hold (the sequence-number condition decides), each order forced', () => {
  const reason = 'Claim K00LS123';
  const hold = (deps: AppDependencies, caseId: string) =>
    recordCaseAction(deps, caseId, manager, { action: 'legal-hold', reason });
  const erase = (deps: AppDependencies, caseId: string) =>
    decideErasure(deps, caseId, manager, request('granted'));
  const appending =
    (type: CaseEvent['type']) =>
    (_caseId: string, _seq: number, event: CaseEvent): boolean =>
      event.type === type;

  async function racing() {
    const faked = await withStore();
    const deps = { ...faked.deps, inboundEmail: new MemoryAttachmentStore() };
    await seedClosedEmailCase(deps, 'race');
    return deps;
  }

  /** Each order in which the hold's write lands before the erasure's: the erasure must be refused. */
  const holdWins: [string, (deps: Awaited<ReturnType<typeof racing>>) => Promise<Sides>][] = [
    [
      'the hold lands first',
      async (deps) => {
        const held = await outcome(hold(deps, 'race'));
        return { held, erased: await outcome(erase(deps, 'race')) };
      },
    ],
    [
      "the hold lands between the erasure's read and its first write (erasure-decided)",
      async (deps) => {
        const race = interleave(
          deps.repository,
          'appendEvent',
          () => hold(deps, 'race'),
          appending('erasure-decided'),
        );
        const erased = await outcome(erase({ ...deps, repository: race.wrapped }, 'race'));
        return { held: race.settled(), erased };
      },
    ],
    [
      "the hold lands between the erasure's two writes (erasure-decided granted, then anonymised)",
      async (deps) => {
        const race = interleave(
          deps.repository,
          'appendEvent',
          () => hold(deps, 'race'),
          appending('anonymised'),
        );
        const erased = await outcome(erase({ ...deps, repository: race.wrapped }, 'race'));
        return { held: race.settled(), erased };
      },
    ],
  ];

  it.each(holdWins)(
    '%s: the erasure is refused 409 LEGAL_HOLD with the reason, nothing removed',
    async (_, run) => {
      const deps = await racing();
      const { held, erased } = await run(deps);

      expect(held).toMatchObject({ status: 'fulfilled' });
      expect(erased).toMatchObject({
        status: 'rejected',
        reason: { code: 'LEGAL_HOLD', message: expect.stringContaining(`under a legal hold (${reason})`) },
      });
      const events = await expectHeldAndKept(deps, 'race', reason);
      // After the hold, the erasure is recorded once, as refused by it: never granted on a held case.
      const afterHold = events.slice(events.findIndex((event) => event.type === 'legal-hold-set') + 1);
      expect(afterHold).toMatchObject([
        {
          type: 'erasure-decided',
          decision: 'refused',
          blockedBy: 'legal-hold',
          reason: expect.stringContaining(reason),
        },
      ]);
    },
  );

  /** Each order in which the erasure's writes land before the hold's: the hold must be refused. */
  const erasureWins: [string, (deps: Awaited<ReturnType<typeof racing>>) => Promise<Sides>][] = [
    [
      'the erasure lands first',
      async (deps) => {
        const erased = await outcome(erase(deps, 'race'));
        return { erased, held: await outcome(hold(deps, 'race')) };
      },
    ],
    [
      "the erasure lands between the hold's copy of the raw email and its write (legal-hold-set)",
      async (deps) => {
        const race = interleave(
          deps.repository,
          'appendEvent',
          () => erase(deps, 'race'),
          appending('legal-hold-set'),
        );
        const held = await outcome(hold({ ...deps, repository: race.wrapped }, 'race'));
        return { erased: race.settled(), held };
      },
    ],
    [
      "the erasure lands between the read and the write of the hold's copy of the raw email",
      async (deps) => {
        const race = interleave(deps.inboundEmail, 'put', () => erase(deps, 'race'));
        const held = await outcome(hold({ ...deps, inboundEmail: race.wrapped }, 'race'));
        return { erased: race.settled(), held };
      },
    ],
  ];

  it.each(erasureWins)(
    '%s: the hold is refused 409 ANONYMISED and nothing personal is left',
    async (_, run) => {
      const deps = await racing();
      const { held, erased } = await run(deps);

      expect(erased).toMatchObject({ status: 'fulfilled', value: { anonymised: { trigger: 'erasure' } } });
      expect(held).toMatchObject({ status: 'rejected', reason: { code: 'ANONYMISED' } });
      await expectAnonymisedAndGone(deps, 'race');
    },
  );
});

/** The two sides of one race: what the legal hold and the erasure each came to. */
interface Sides {
  held: PromiseSettledResult<unknown> | undefined;
  erased: PromiseSettledResult<unknown> | undefined;
}
