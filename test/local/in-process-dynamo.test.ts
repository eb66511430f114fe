import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessDynamo } from '../../infra/local/in-process-dynamo.ts';
import { LOCAL_AWS } from '../support/dynamodb.ts';

/**
 * The local runtime's DynamoDB client reaches dynalite without a socket (issue 12: the loopback round trip was
 * a third of each call's CPU, and a keep-alive socket reset under load crashed the runtime). The SDK must see
 * the same answers, errors included, as over HTTP.
 */
let server: Server;
let connections = 0;
let client: DynamoDBClient;
const TABLE = 'in-process';

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  server.on('connection', () => connections++);
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  client = new DynamoDBClient({
    ...LOCAL_AWS,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requestHandler: inProcessDynamo(server),
  });
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await new Promise((settled) => setTimeout(settled, 20));
});

afterAll(async () => {
  await new Promise<void>((closed) => server.close(() => closed()));
});

describe('the in-process transport to dynalite', () => {
  it('writes and reads items, with no connection to the HTTP server', async () => {
    await client.send(
      new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'case-1' }, text: { S: 'Boiler £50 ✓' } } }),
    );
    const read = await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'case-1' } } }));
    expect(read.Item).toEqual({ pk: { S: 'case-1' }, text: { S: 'Boiler £50 ✓' } });
    expect(connections).toBe(0);
  });

  it("passes on dynalite's errors as the SDK's typed exceptions", async () => {
    const put = new PutItemCommand({
      TableName: TABLE,
      Item: { pk: { S: 'case-1' } },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    await expect(client.send(put)).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await expect(
      client.send(new GetItemCommand({ TableName: 'no-such-table', Key: { pk: { S: 'x' } } })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
  });
});
