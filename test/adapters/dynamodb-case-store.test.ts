import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, DynamoDbCaseStore } from '#shared/adapters/dynamodb-case-store.ts';
import { applyCaseEvent, type CaseEvent, type CaseState } from '#shared/domain/case.ts';
import { ConflictError } from '#shared/domain/errors.ts';
import { recordCaseAction } from '#shared/usecases/actions.ts';
import { staffReport } from '#shared/usecases/report.ts';
import { type RetentionReport, runRetention } from '#shared/usecases/retention.ts';
import { aCase, aTask, caseRepositoryContract } from '../support/case-repository-contract.ts';
import { DynamoWatch, failNthWrite, type LocalDynamo, startDynalite } from '../support/dynamodb.ts';
import { MemoryAttachmentStore } from '../support/fakes/attachments.ts';
import { fakeDependencies } from '../support/fakes/dependencies.ts';
import {
  baselineContext,
  baselineProfile,
  handler,
  received,
  resident,
  reviewer,
  stageResponse,
} from '../support/fixtures.ts';
import {
  expectAnonymisedAndGone,
  expectHeldAndKept,
  interleave,
  outcome,
  seedClosedEmailCase,
} from '../support/races.ts';

/** The adapter against dynalite: the real SDK requests and conditions, answered by an emulated DynamoDB. */
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

/** A store on a fresh table, with its client watched. */
async function freshStore() {
  const tableName = await dynamo.createTable();
  const client = dynamo.client();
  const watch = new DynamoWatch().attach(client);
  // No settling delay for month tallies: the emulator's index is written with the item (see the delay's test).
  const store = new DynamoDbCaseStore(tableName, createDocumentClient(client), 0);
  return { store, watch, client, tableName };
}

caseRepositoryContract('DynamoDbCaseStore', async () => (await freshStore()).store);

/** The sort key a request writes (its Key's, or its Item's), if it names one item. */
const sortKeyOf = (input: Record<string, unknown>) =>
  ((input.Key ?? input.Item) as { sk?: string } | undefined)?.sk;

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds the allowed throughput',
    $metadata: {},
  });

describe('retention racing a legal hold (the sequence-number condition decides), each order forced', () => {
  const manager = { kind: 'staff', id: 'manager-1', role: 'manager' } as const;
  const reason = 'Claim K00LS123';
  type Deps = ReturnType<typeof fakeDependencies>['deps'] & { inboundEmail: MemoryAttachmentStore };
  type Sides = {
    held: PromiseSettledResult<unknown> | undefined;
    job: PromiseSettledResult<RetentionReport> | undefined;
  };
  const hold = (deps: Deps) => recordCaseAction(deps, 'race', manager, { action: 'legal-hold', reason });
  const retain = (deps: Deps) => runRetention(deps, { dryRun: false });
  const appending =
    (type: CaseEvent['type']) =>
    (_caseId: string, _seq: number, event: CaseEvent): boolean =>
      event.type === type;

  /** A closed case (2 March 2026) the job reaches on 1 January 2033: it anonymises it unless held. */
  async function racing(): Promise<Deps> {
    const { store } = await freshStore();
    const { deps, clock } = fakeDependencies({ repository: store });
    const withInbound = { ...deps, inboundEmail: new MemoryAttachmentStore() };
    await seedClosedEmailCase(withInbound, 'race');
    clock.set('2033-01-01T10:00:00Z');
    return withInbound;
  }
  const item = (job: Sides['job']) =>
    job?.status === 'fulfilled' ? job.value.items.find((each) => each.caseId === 'race') : undefined;

  const meanwhile = 'a legal hold was set while the run was deciding';
  /** Each order in which the hold's write lands before the job's, and why the job's report says it held. */
  const holdWins: [string, (deps: Deps) => Promise<Sides>, string][] = [
    [
      'the hold lands first',
      async (deps) => {
        const held = await outcome(hold(deps));
        return { held, job: await outcome(retain(deps)) };
      },
      // Read from the listing: the hold's own reason.
      reason,
    ],
    [
      "the hold lands between the job's listing of closed cases and its read of the case",
      async (deps) => {
        const race = interleave(deps.repository, 'loadEvents', () => hold(deps));
        const job = await outcome(retain({ ...deps, repository: race.wrapped }));
        return { held: race.settled(), job };
      },
      meanwhile,
    ],
    [
      "the hold lands between the job's read of the case and its write (anonymised)",
      async (deps) => {
        const race = interleave(deps.repository, 'appendEvent', () => hold(deps), appending('anonymised'));
        const job = await outcome(retain({ ...deps, repository: race.wrapped }));
        return { held: race.settled(), job };
      },
      meanwhile,
    ],
  ];

  it.each(holdWins)('%s: the job reports it held and anonymises nothing', async (_, run, why) => {
    const deps = await racing();
    const { held, job } = await run(deps);

    expect(held).toMatchObject({ status: 'fulfilled' });
    expect(job).toMatchObject({ status: 'fulfilled' });
    expect(item(job)).toMatchObject({ step: { action: 'held', reason: why } });
    expect(item(job)?.failed).toBeUndefined();
    const events = await expectHeldAndKept(deps, 'race', reason);
    // Nothing the job records comes after the hold.
    expect(events.at(-1)).toMatchObject({ type: 'legal-hold-set' });
  });

  /** Each order in which the job's write lands before the hold's: the hold must be refused. */
  const jobWins: [string, (deps: Deps) => Promise<Sides>][] = [
    [
      'the job runs first',
      async (deps) => {
        const job = await outcome(retain(deps));
        return { job, held: await outcome(hold(deps)) };
      },
    ],
    [
      "the job runs between the hold's copy of the raw email and its write (legal-hold-set)",
      async (deps) => {
        const race = interleave(
          deps.repository,
          'appendEvent',
          () => retain(deps),
          appending('legal-hold-set'),
        );
        const held = await outcome(hold({ ...deps, repository: race.wrapped }));
        return { job: race.settled(), held };
      },
    ],
    [
      "the job runs between the read and the write of the hold's copy of the raw email",
      async (deps) => {
        const race = interleave(deps.inboundEmail, 'put', () => retain(deps));
        const held = await outcome(hold({ ...deps, inboundEmail: race.wrapped }));
        return { job: race.settled(), held };
      },
    ],
  ];

  it.each(jobWins)('%s: the hold is refused 409 ANONYMISED and nothing personal is left', async (_, run) => {
    const deps = await racing();
    const { held, job } = await run(deps);

    expect(job).toMatchObject({ status: 'fulfilled' });
    expect(item(job)).toMatchObject({ step: { action: 'anonymise' } });
    expect(item(job)?.failed).toBeUndefined();
    expect(held).toMatchObject({ status: 'rejected', reason: { code: 'ANONYMISED' } });
    await expectAnonymisedAndGone(deps, 'race');
  });
});

describe('DynamoDbCaseStore under concurrency (conditions DynamoDB enforces, not the adapter)', () => {
  it('lets exactly one of 10 concurrent appends take a sequence number', async () => {
    const { store } = await freshStore();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        store.appendEvent('case-1', 1, {
          type: 'note-added',
          at: '2026-03-03T10:00:00.000Z',
          by: { kind: 'system', id: `writer-${i}` },
          text: `note ${i}`,
        }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    }
    expect(await store.loadEvents('case-1')).toHaveLength(1);
  });

  it('gives an intake key to one of 10 concurrent claimants; every claimant is told the same case', async () => {
    const { store } = await freshStore();
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.claimIntakeKey('key-1', {
          caseId: `case-${i}`,
          requestHash: 'hash',
          claimedAt: '2026-03-02T10:00:00.000Z',
        }),
      ),
    );
    expect(new Set(claims.map((claim) => claim.caseId)).size).toBe(1);
  });

  it('hands 20 concurrent intakes the numbers 1 to 20, each bound to its own case', async () => {
    const { store } = await freshStore();
    const claimedAt = '2026-03-02T10:00:00.000Z';
    const references = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await store.claimIntakeKey(`key-${i}`, { caseId: `case-${i}`, requestHash: 'hash', claimedAt });
        return store.takeIntakeReference(`key-${i}`, { caseId: `case-${i}`, claimedAt }, 2026);
      }),
    );
    expect([...references].sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `CMP-2026-${String(i + 1).padStart(6, '0')}`),
    );
    for (const [i, reference] of references.entries()) {
      expect(await store.findCaseIdByReference(reference ?? '')).toBe(`case-${i}`);
    }
  });
});

describe('DynamoDbCaseStore reads', () => {
  it('pages through more lookups than one BatchGetItem takes (100 keys), each case once, oldest first', async () => {
    const { store, watch } = await freshStore();
    const ids = Array.from({ length: 130 }, (_, n) => `case-${String(n).padStart(3, '0')}`);
    for (const [n, caseId] of [...ids].reverse().entries()) {
      await store.saveProjection(
        aCase(caseId, new Date(Date.UTC(2026, 2, 2, 10, 0, 130 - n)).toISOString()),
        {
          contacts: ['contact-shared'],
          names: [],
        },
      );
    }
    watch.resetCalls();
    const found = await store.listByContact('contact-shared');
    expect(found.map((state) => state.caseId)).toEqual(ids);
    expect(watch.callsTo('BatchGetItem')).toHaveLength(2);
  });

  it('reads projections by id in batches of at most 100 keys, consistently, each case once', async () => {
    const { store, watch } = await freshStore();
    const ids = Array.from({ length: 130 }, (_, n) => `case-${String(n).padStart(3, '0')}`);
    for (const caseId of ids) await store.saveProjection(aCase(caseId), { contacts: [], names: [] });
    watch.resetCalls();
    const states = await store.getProjections([...ids, ids[0] ?? '', 'no-such-case']);
    expect(states.map((state) => state.caseId).sort()).toEqual(ids);
    expect(watch.calls.map((call) => call.operation)).toEqual(['BatchGetItem', 'BatchGetItem']);
    const batches = watch.callsTo('BatchGetItem');
    for (const batch of batches) {
      expect(Object.values(batch.input.RequestItems as Record<string, { ConsistentRead?: boolean }>)).toEqual(
        [expect.objectContaining({ ConsistentRead: true })],
      );
    }
    watch.resetCalls();
    expect(await store.getProjections([])).toEqual([]);
    expect(watch.calls).toEqual([]);
  });

  it('keys contact and name lookups by their hashes only, and takes a closed task off the queue index', async () => {
    const { store, tableName } = await freshStore();
    await store.saveProjection(aCase('case-1'), { contacts: ['hash-c'], names: ['hash-n'] });
    await store.putTask({
      taskId: 'task-1',
      caseId: 'case-1',
      reference: 'REF-case-1',
      step: 'triage',
      role: 'handler',
      token: 'token-1',
      status: 'open',
      createdAt: '2026-03-02T10:00:00.000Z',
    });
    await store.closeTask('task-1', 'done', '2026-03-03T10:00:00.000Z', 'hannah');
    const items = await dynamo.scan(tableName);
    expect(
      items.filter((item) => String(item.sk).startsWith('CONTACT#') || String(item.sk).startsWith('NAME#')),
    ).toEqual([
      expect.objectContaining({ pk: 'CASE#case-1', sk: 'CONTACT#hash-c', gsi2pk: 'CONTACT#hash-c' }),
      expect.objectContaining({ pk: 'CASE#case-1', sk: 'NAME#hash-n', gsi2pk: 'NAME#hash-n' }),
    ]);
    const task = items.find((item) => item.pk === 'TASK#task-1');
    expect(task).toMatchObject({ status: 'done', gsi2pk: 'CASETASKS#case-1' });
    expect(task).not.toHaveProperty('gsi1pk');
  });
  it("writes a new case's lookup items in one batched request, after its facts and the projection", async () => {
    const { store, watch } = await freshStore();
    await store.saveProjection(aCase('case-1'), {
      contacts: ['hash-email', 'hash-phone'],
      names: ['hash-name', 'hash-surname'],
    });
    // The facts, the change to their one month (its cached report tally is no longer current), the projection.
    expect(watch.calls.map((call) => [call.operation, sortKeyOf(call.input)])).toEqual([
      ['PutItem', 'FACTS#2026-03'],
      ['UpdateItem', 'TALLY'],
      ['PutItem', 'PROJECTION'],
      ['BatchWriteItem', undefined],
    ]);
    expect(await store.listByContact('hash-phone')).toEqual([expect.objectContaining({ caseId: 'case-1' })]);
    expect(await store.listByName('hash-surname')).toEqual([expect.objectContaining({ caseId: 'case-1' })]);
  });

  it('finishes the lookups and facts when the same projection is saved again after a write that stopped part-way', async () => {
    const { store, client, tableName } = await freshStore();
    failNthWrite(client, { nth: 2, operation: 'PutItem', error: throttled });
    const state = aCase('case-1');
    const lookups = { contacts: ['hash-c'], names: ['hash-n'] };
    await expect(store.saveProjection(state, lookups)).rejects.toThrow(/allowed throughput/);
    await store.saveProjection(state, lookups);
    const keys = (await dynamo.scan(tableName)).map((item) => String(item.sk)).sort();
    expect(keys).toEqual(expect.arrayContaining(['CONTACT#hash-c', 'NAME#hash-n', 'PROJECTION']));
    expect(keys.some((key) => key.startsWith('FACTS#'))).toBe(true);
  });
});

describe('failNthWrite', () => {
  it('fails the nth write with the error, before anything reaches the table, then lets writes through', async () => {
    const { store, client } = await freshStore();
    failNthWrite(client, { nth: 2, operation: 'PutItem', error: throttled });
    await store.saveReference('CMP-2026-000001', 'case-1');
    await expect(store.saveReference('CMP-2026-000002', 'case-2')).rejects.toThrow(
      ProvisionedThroughputExceededException,
    );
    await store.saveReference('CMP-2026-000003', 'case-3');
    expect(await store.findCaseIdByReference('CMP-2026-000001')).toBe('case-1');
    expect(await store.findCaseIdByReference('CMP-2026-000002')).toBeUndefined();
    expect(await store.findCaseIdByReference('CMP-2026-000003')).toBe('case-3');
  });

  it('counts only the operation it names', async () => {
    const { store, client } = await freshStore();
    failNthWrite(client, { operation: 'UpdateItem', error: throttled });
    await store.saveReference('CMP-2026-000001', 'case-1');
    await store.putTask(aTask('task-1'));
    await expect(store.markTaskAnnounced('task-1', '2026-03-03T08:00:00.000Z')).rejects.toThrow(
      /allowed throughput/,
    );
    expect(await store.findCaseIdByReference('CMP-2026-000001')).toBe('case-1');
    await store.markTaskAnnounced('task-1', '2026-03-03T08:00:00.000Z');
    expect((await store.getTask('task-1'))?.announcedAt).toBe('2026-03-03T08:00:00.000Z');
  });
});

describe('DynamoDbCaseStore reporting facts', () => {
  it("reads a period's facts by querying its months on gsi3 (never a Scan), each item under its month", async () => {
    const { store, watch, client, tableName } = await freshStore();
    await store.saveProjection(aCase('case-1', '2026-04-02T10:00:00.000Z'), { contacts: [], names: [] });
    await store.saveProjection(aCase('case-2', '2026-05-02T10:00:00.000Z'), { contacts: [], names: [] });
    const before = watch.calls.length;
    const facts = await store.listReportFacts(['2026-04', '2026-05', '2026-06']);
    expect(facts.map((entry) => entry.caseId).sort()).toEqual(['case-1', 'case-2']);
    const reads = watch.calls.slice(before);
    expect(reads.map((call) => call.operation)).toEqual(['Query', 'Query', 'Query']);
    expect(reads.map((call) => call.input.IndexName)).toEqual(['gsi3', 'gsi3', 'gsi3']);
    const item = await createDocumentClient(client).send(
      new GetCommand({ TableName: tableName, Key: { pk: 'CASE#case-1', sk: 'FACTS#2026-04' } }),
    );
    expect(item.Item).toMatchObject({ gsi3pk: 'FACTS#2026-04', gsi3sk: 'case-1', seq: 1 });
  });
});

describe('DynamoDbCaseStore saving only what an event changed', () => {
  const noLookups = { contacts: [], names: [] };
  const note = (state: CaseState, at: string) =>
    applyCaseEvent(
      state,
      { type: 'note-added', at, by: handler, text: 'Rang the resident' },
      baselineContext(),
    );
  const triage = (state: CaseState, at: string) =>
    applyCaseEvent(state, { type: 'triaged', at, by: handler, outcome: 'complaint' }, baselineContext());

  it('skips the facts and their month count when the event left them as the stored base had them', async () => {
    const { store, watch } = await freshStore();
    const first = aCase('case-1', '2026-04-02T10:00:00.000Z');
    await store.saveProjection(first, noLookups);
    const noted = note(first, '2026-04-02T11:00:00.000Z');
    watch.resetCalls();
    await store.saveProjection(noted, noLookups, first);
    expect(watch.calls.map((call) => [call.operation, sortKeyOf(call.input)])).toEqual([
      ['PutItem', 'PROJECTION'],
    ]);
    expect((await store.getProjection('case-1'))?.seq).toBe(2);
    expect((await store.reportMonths(['2026-04'])).get('2026-04')?.changes).toBe(1);
    // An event that changes a figure writes them, on the same stored base.
    const triaged = triage(noted, '2026-04-03T10:00:00.000Z');
    await store.saveProjection(triaged, noLookups, noted);
    expect((await store.listReportFacts(['2026-04']))[0]?.triage?.outcome).toBe('complaint');
    expect((await store.reportMonths(['2026-04'])).get('2026-04')?.changes).toBe(2);
  });

  it("writes the facts before the projection, so a stored projection's facts are stored too", async () => {
    const { store, client } = await freshStore();
    const first = aCase('case-1', '2026-04-02T10:00:00.000Z');
    await store.saveProjection(first, noLookups);
    const triaged = triage(first, '2026-04-03T10:00:00.000Z');
    // The save stops at its second PutItem: the facts are written, the projection is not.
    failNthWrite(client, { nth: 2, operation: 'PutItem', error: throttled });
    await expect(store.saveProjection(triaged, noLookups, first)).rejects.toThrow(/allowed throughput/);
    expect((await store.getProjection('case-1'))?.seq).toBe(1);
    expect((await store.listReportFacts(['2026-04']))[0]?.triage?.outcome).toBe('complaint');
  });
});

describe('DynamoDbCaseStore month tallies', () => {
  const noLookups = { contacts: [], names: [] };

  it('does not cache a tally of a month changed within the settling delay (the index may not have the change yet)', async () => {
    const { client, tableName } = await freshStore();
    const store = new DynamoDbCaseStore(tableName, createDocumentClient(client), 60_000);
    await store.saveProjection(aCase('case-1', '2026-04-02T10:00:00.000Z'), noLookups);
    expect(await store.saveReportTally('2026-04', 1, { key: 'k', json: '{}' })).toBe(false);
    // A month nothing was ever written in has nothing to wait for.
    expect(await store.saveReportTally('2026-05', 0, { key: 'k', json: '{}' })).toBe(true);
    const settled = new DynamoDbCaseStore(tableName, createDocumentClient(client), 0);
    expect(await settled.saveReportTally('2026-04', 1, { key: 'k', json: '{}' })).toBe(true);
  });

  it('counts the change again when a save that stopped before counting it is retried, so no stale tally stays current', async () => {
    const { store, client } = await freshStore();
    const received = aCase('case-1', '2026-04-02T10:00:00.000Z');
    await store.saveProjection(received, noLookups);
    expect(await store.saveReportTally('2026-04', 1, { key: 'k', json: '{}' })).toBe(true);
    const triaged = applyCaseEvent(
      received,
      { type: 'triaged', at: '2026-04-03T10:00:00.000Z', by: handler, outcome: 'complaint' },
      baselineContext(),
    );
    failNthWrite(client, { operation: 'UpdateItem', error: throttled });
    await expect(store.saveProjection(triaged, noLookups)).rejects.toThrow(/allowed throughput/);
    // The new facts are stored, but the month's count was not bumped: the cached tally still looks current.
    expect((await store.listReportFacts(['2026-04']))[0]?.triage?.outcome).toBe('complaint');
    await store.saveProjection(triaged, noLookups);
    const april = (await store.reportMonths(['2026-04'])).get('2026-04');
    expect(april?.changes).toBe(2);
    expect(april?.tally?.changes).toBe(1);
  });
});

describe('DynamoDbCaseStore facts of a case whose action moves to another month', () => {
  const profile = baselineProfile();
  const ctx = baselineContext();
  const action = { description: 'Replace the fence', owner: 'Repairs' };
  // Stage 1 promises an action due 20 March 2026; the stage 2 response (20 February) moves it to 20 April, so
  // nothing the case's facts date is in March any more.
  const events: CaseEvent[] = [
    received('2026-02-02T10:00:00.000Z'),
    { type: 'triaged', at: '2026-02-02T11:00:00.000Z', by: handler, outcome: 'complaint' },
    {
      type: 'acknowledged',
      stage: 1,
      at: '2026-02-03T10:00:00.000Z',
      by: handler,
      definition: 'The fence',
      outcomesSought: ['Fix it'],
    },
    {
      type: 'response-issued',
      stage: 1,
      at: '2026-02-10T10:00:00.000Z',
      by: handler,
      letter: stageResponse(profile, 1, { outstandingActions: [{ ...action, dueDate: '2026-03-20' }] }),
    },
    { type: 'escalation-requested', at: '2026-02-12T10:00:00.000Z', by: resident },
    {
      type: 'acknowledged',
      stage: 2,
      at: '2026-02-13T10:00:00.000Z',
      by: reviewer,
      definition: 'The fence',
      outcomesSought: ['Fix it'],
    },
    {
      type: 'response-issued',
      stage: 2,
      at: '2026-02-20T10:00:00.000Z',
      by: reviewer,
      letter: stageResponse(profile, 2, {
        outstandingActions: [{ ...action, actionId: 'S1-1', dueDate: '2026-04-20' }],
      }),
    },
  ];
  const moved = events.length - 1;
  const noLookups = { contacts: [], names: [] };

  async function saveUpTo(store: DynamoDbCaseStore, count: number, from?: CaseState) {
    let state = from;
    for (const event of events.slice(state?.seq ?? 0, count)) {
      state = { ...applyCaseEvent(state, event, ctx, 'case-moved'), reference: 'CMP-MOVED' };
      await store.saveProjection(state, noLookups);
    }
    return state as CaseState;
  }
  const dueIn = async (store: DynamoDbCaseStore, from: string, to: string) =>
    (
      await staffReport(
        { repository: store, context: ctx, clock: { now: () => new Date('2026-06-01') } },
        'manager',
        { from, to },
      )
    ).figures.actions.dueInPeriod;

  it('counts the action once, in its new month, from cached month tallies (whole months)', async () => {
    const { store } = await freshStore();
    const before = await saveUpTo(store, moved);
    // Cached while the action is due in March: the move must make that cached month stale.
    expect(await dueIn(store, '2025-04-01', '2026-03-31')).toBe(1);
    await saveUpTo(store, events.length, before);
    expect(await dueIn(store, '2025-04-01', '2026-03-31')).toBe(0);
    expect(await dueIn(store, '2026-04-01', '2027-03-31')).toBe(1);
    expect(await dueIn(store, '2026-01-01', '2026-12-31')).toBe(1);
  });

  it('counts the action once, in its new month, from the facts (periods that are not whole months)', async () => {
    const { store } = await freshStore();
    await saveUpTo(store, events.length);
    expect(await dueIn(store, '2025-04-02', '2026-03-31')).toBe(0);
    expect(await dueIn(store, '2026-03-02', '2026-03-31')).toBe(0);
    expect(await dueIn(store, '2026-04-02', '2027-03-31')).toBe(1);
    expect(await dueIn(store, '2026-01-02', '2026-12-31')).toBe(1);
  });

  it('keeps the old month superseded when a save of the older state is retried after the move', async () => {
    const { store } = await freshStore();
    const before = await saveUpTo(store, moved);
    await saveUpTo(store, events.length, before);
    // A writer that stopped before the move and is retried now: its older facts must not come back.
    await store.saveProjection(before, noLookups);
    expect(await dueIn(store, '2026-03-02', '2026-03-31')).toBe(0);
    expect(await dueIn(store, '2026-03-01', '2026-03-31')).toBe(0);
  });
});

describe('the secondary indexes copy only what their queries read', () => {
  it('holds no case state in any index, yet the queries by status and month still return the cases', async () => {
    const { store, client, tableName } = await freshStore();
    const state = aCase('case-1');
    await store.saveProjection(state, {
      contacts: ['contact-hash'],
      names: ['name-hash'],
    });
    const documents = createDocumentClient(client);
    for (const [index, pk] of [
      ['gsi1', `STATUS#${state.status}`],
      ['gsi3', `RECEIVED#${state.receivedAt.slice(0, 7)}`],
      ['gsi2', 'CONTACT#contact-hash'],
    ] as const) {
      const { Items = [] } = await documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index,
          KeyConditionExpression: `${index}pk = :pk`,
          ExpressionAttributeValues: { ':pk': pk },
        }),
      );
      expect(Items, index).toHaveLength(1);
      expect(Items[0], index).not.toHaveProperty('state');
    }
    expect((await store.listByStatus(state.status)).map((c) => c.caseId)).toEqual(['case-1']);
    expect((await store.listReceivedInMonth(state.receivedAt.slice(0, 7))).map((c) => c.caseId)).toEqual([
      'case-1',
    ]);
  });
});
