import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, DynamoDbCaseStore } from '#shared/adapters/dynamodb-case-store.ts';
import { applyCaseEvent } from '#shared/domain/case.ts';
import { baselineContext, received } from '../support/fixtures.ts';

/** The adapter against dynalite: the real SDK requests, answered by a real (emulated) DynamoDB. */
const server = dynalite({ createTableMs: 0 });
let client: DynamoDBClient;
let store: DynamoDbCaseStore;
let sent: string[] = [];

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  // Only the table's keys: a batched read by key needs no index.
  await client.send(
    new CreateTableCommand({
      TableName: 'cases',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize' },
  );
  store = new DynamoDbCaseStore('cases', createDocumentClient(client));
});

afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
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
    sent = [];

    // Act
    const states = await store.getProjections([...ids, ids[0] ?? '', 'no-such-case']);

    // Assess
    expect(states.map((state) => state.caseId).sort()).toEqual(ids);
    expect(sent).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand']);
  });

  it('makes no request for no ids', async () => {
    sent = [];
    expect(await store.getProjections([])).toEqual([]);
    expect(sent).toEqual([]);
  });
});
