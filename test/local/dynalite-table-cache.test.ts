import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dynaliteServer } from '../../infra/local/dynalite.ts';
import { inProcessDynamo } from '../../infra/local/in-process-dynamo.ts';
import { LOCAL_AWS } from '../support/dynamodb.ts';

/**
 * dynalite keeps each table's description in its store and read it at the start of every request; the local
 * runtime's dynalite keeps the descriptions it has read (issue 12). A table changed, deleted or created again
 * must still be seen as it is.
 */
const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const { AbstractLevel } = fromDynalite('abstract-level') as {
  AbstractLevel: { prototype: { get: (key: unknown, ...rest: unknown[]) => unknown } };
};

/** Keys read from the store (memory-level or classic-level), as dynalite prefixes them: `table~<name>` and so on. */
const reads: string[] = [];
const { get } = AbstractLevel.prototype;
beforeEach(() => {
  reads.length = 0;
  AbstractLevel.prototype.get = function (key, ...rest) {
    reads.push(String(key));
    return get.call(this, key, ...rest);
  };
});
afterEach(() => {
  AbstractLevel.prototype.get = get;
});

const TABLE = 'cached';
const create = (keyType: 'S' | 'N', { read, index }: { read: number; index?: string }) =>
  new CreateTableCommand({
    TableName: TABLE,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: keyType },
      ...(index ? [{ AttributeName: 'status', AttributeType: 'S' as const }] : []),
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    ProvisionedThroughput: { ReadCapacityUnits: read, WriteCapacityUnits: 1 },
    ...(index
      ? {
          GlobalSecondaryIndexes: [
            {
              IndexName: index,
              KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
              Projection: { ProjectionType: 'KEYS_ONLY' },
              ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
            },
          ],
        }
      : {}),
  });

describe.each([
  ['in memory', () => undefined],
  ['on disk', () => mkdtempSync(join(tmpdir(), 'dynalite-table-cache-'))],
])('dynalite %s, table descriptions', (_store, path) => {
  async function start() {
    const server = dynaliteServer({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: path() });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new DynamoDBClient({
      ...LOCAL_AWS,
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      requestHandler: inProcessDynamo(server),
    });
    const active = async () => {
      for (;;) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
        const indexes = Table?.GlobalSecondaryIndexes ?? [];
        if (Table?.TableStatus === 'ACTIVE' && indexes.every((index) => index.IndexStatus === 'ACTIVE'))
          return;
        await new Promise((ready) => setImmediate(ready));
      }
    };
    // dynalite deletes a table's items after DeleteTable has answered (on disk this takes a while), and the name is
    // taken until it has: a CreateTable before then is refused, as DynamoDB refuses one while a table is DELETING.
    const gone = async () => {
      for (;;) {
        const described = await client
          .send(new DescribeTableCommand({ TableName: TABLE }))
          .catch((error: { name?: string }) => error);
        if ('name' in described && described.name === 'ResourceNotFoundException') return;
        await new Promise((ready) => setImmediate(ready));
      }
    };
    const stop = () => new Promise<void>((closed) => server.close(() => closed()));
    return { client, active, gone, stop };
  }

  it('reads a description from the store once, not at every item request', async () => {
    const { client, active, stop } = await start();
    try {
      await client.send(create('S', { read: 1 }));
      await active();
      await client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'a' } } }));
      reads.length = 0;
      for (let index = 0; index < 5; index++) {
        await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'a' } } }));
      }
      // Each GetItem reads its item; none reads the table's description again.
      expect(reads.filter((key) => key.startsWith('table~'))).toEqual([]);
      expect(reads.filter((key) => key.startsWith(`item-${TABLE}~`))).toHaveLength(5);
    } finally {
      await stop();
    }
  });

  it('sees a table updated, deleted and created again with another key and no index', async () => {
    const { client, active, gone, stop } = await start();
    const byStatus = () =>
      client.send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: 'byStatus',
          KeyConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':open': { S: 'open' } },
        }),
      );
    try {
      await client.send(create('S', { read: 1, index: 'byStatus' }));
      await active();
      await client.send(
        new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'a' }, status: { S: 'open' } } }),
      );
      expect((await byStatus()).Items?.map((item) => item.pk?.S)).toEqual(['a']);
      await client.send(
        new UpdateTableCommand({
          TableName: TABLE,
          ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 1 },
        }),
      );
      await active();
      const updated = await client.send(new DescribeTableCommand({ TableName: TABLE }));
      expect(updated.Table?.ProvisionedThroughput?.ReadCapacityUnits).toBe(5);

      await client.send(new DeleteTableCommand({ TableName: TABLE }));
      await expect(
        client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'a' } } })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      await gone();

      await client.send(create('N', { read: 2 }));
      await active();
      await expect(
        client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'a' } } })),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      await client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { N: '1' } } }));
      await expect(byStatus()).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('does not have the specified index'),
      });
      const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
      expect(Table?.ProvisionedThroughput?.ReadCapacityUnits).toBe(2);
      expect(Table?.GlobalSecondaryIndexes).toBeUndefined();
    } finally {
      await stop();
    }
  });
});
