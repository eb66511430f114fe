import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '#shared/adapters/dynamodb-case-store.ts';
import { createActiveTable, dynaliteServer } from '../../infra/local/dynalite.ts';
import { LOCAL_AWS } from '../support/dynamodb.ts';

// The abstract-level every store under dynalite (memory-level, classic-level) is built on.
const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const { AbstractLevel } = fromDynalite('abstract-level') as {
  AbstractLevel: { prototype: Record<'attachResource' | 'detachResource', (resource: object) => void> };
};

/** Iterators (and other resources) registered with a store and not yet closed. */
const open = new Set<object>();
const { attachResource, detachResource } = AbstractLevel.prototype;
beforeEach(() => {
  open.clear();
  AbstractLevel.prototype.attachResource = function (resource) {
    open.add(resource);
    return attachResource.call(this, resource);
  };
  AbstractLevel.prototype.detachResource = function (resource) {
    open.delete(resource);
    return detachResource.call(this, resource);
  };
});
afterEach(() => {
  Object.assign(AbstractLevel.prototype, { attachResource, detachResource });
});

describe.each([
  ['in memory', () => undefined],
  ['on disk', () => mkdtempSync(join(tmpdir(), 'dynalite-iterators-'))],
])('dynalite %s', (_store, path) => {
  it('closes the iterator behind every Query and Scan, read to the end or stopped at a Limit', async () => {
    const server = dynaliteServer({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: path() });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      ...LOCAL_AWS,
    });
    const documents = createDocumentClient(client);
    try {
      await createActiveTable(client, 'iterators');
      for (let n = 1; n <= 5; n++) {
        await documents.send(
          new PutCommand({
            TableName: 'iterators',
            Item: { pk: 'CASE#1', sk: `EVENT#${n}`, gsi1pk: 'TASKS', gsi1sk: `${n}` },
          }),
        );
      }
      const query = { TableName: 'iterators', KeyConditionExpression: 'pk = :pk' };
      const values = { ':pk': 'CASE#1' };
      const all = await documents.send(new QueryCommand({ ...query, ExpressionAttributeValues: values }));
      const first = await documents.send(
        new QueryCommand({ ...query, ExpressionAttributeValues: values, Limit: 2 }),
      );
      const index = await documents.send(
        new QueryCommand({
          TableName: 'iterators',
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': 'TASKS' },
          Limit: 1,
        }),
      );
      const scan = await documents.send(new ScanCommand({ TableName: 'iterators' }));
      expect([all.Count, first.Count, index.Count, scan.Count]).toEqual([5, 2, 1, 5]);

      expect(open.size).toBe(0);
    } finally {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
