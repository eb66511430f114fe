import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, DynamoDbCaseStore } from '#shared/adapters/dynamodb-case-store.ts';
import { applyCaseEvent } from '#shared/domain/case.ts';
import { DynamoWatch, type LocalDynamo, startDynalite } from '../support/dynamodb.ts';
import { baselineContext, received } from '../support/fixtures.ts';

/** The adapter against dynalite: the real SDK requests, answered by a real (emulated) DynamoDB. */
let dynamo: LocalDynamo;
let store: DynamoDbCaseStore;
const watch = new DynamoWatch();

beforeAll(async () => {
  dynamo = await startDynalite();
  const client = dynamo.client();
  watch.attach(client);
  store = new DynamoDbCaseStore(await dynamo.createTable(), createDocumentClient(client));
});

afterAll(async () => {
  await dynamo.stop();
});

async function saveCases(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, n) => `case-${String(n).padStart(3, '0')}`);
  for (const [n, caseId] of ids.entries()) {
    const at = new Date(Date.UTC(2026, 2, 2, 10, 0, n)).toISOString();
    const state = applyCaseEvent(undefined, received(at), baselineContext(), caseId);
    await store.saveProjection(
      { ...state, reference: `CMP-2026-${String(n).padStart(6, '0')}` },
      {
        contacts: [],
        names: [],
      },
    );
  }
  return ids;
}

describe('DynamoDbCaseStore.getProjections', () => {
  it('reads many cases in batches of at most 100 keys, each case once, leaving unknown ids out', async () => {
    // Prepare
    const ids = await saveCases(130);
    watch.resetCalls();

    // Act
    const states = await store.getProjections([...ids, ids[0] ?? '', 'no-such-case']);

    // Assess
    expect(states.map((state) => state.caseId).sort()).toEqual(ids);
    expect(watch.calls.map((call) => call.operation)).toEqual(['BatchGetItem', 'BatchGetItem']);
  });

  it('makes no request for no ids', async () => {
    watch.resetCalls();
    expect(await store.getProjections([])).toEqual([]);
    expect(watch.calls).toEqual([]);
  });
});
