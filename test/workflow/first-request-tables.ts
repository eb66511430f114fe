/**
 * The table each function's first request meets in bench:bundles (bench/bundles.ts): taken from a real case on the local runtime
 * (test/workflow/cost-paths.ts's "one 30-day outstanding action" path: every workflow function runs on it), so
 * a first request reads the case projection, its events and its task and does what it does in production
 * instead of stopping at NotFoundError on an empty answer. Each workflow function gets the table as it was the
 * first time the state machine invoked it, and that invocation's input as its event; every other function gets
 * the table at the end of the path (the case closed, its letters, tasks and report facts written).
 */
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { createActiveTable, dynaliteServer } from '../../infra/local/dynalite.ts';
import { LOCAL_TABLE } from '../../infra/local/system.ts';
import { COST_PATHS } from './cost-paths.ts';
import { Harness } from './harness.ts';

export type RawItem = Record<string, AttributeValue>;

export interface FirstRequestTables {
  caseId: string;
  /** Per workflow function (its short name): the table and the input of its first invocation. */
  workflow: Map<string, { items: RawItem[]; event: unknown }>;
  /** The table at the end of the path. */
  final: RawItem[];
}

type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

export async function firstRequestTables(): Promise<FirstRequestTables> {
  const path = COST_PATHS.find((candidate) => candidate.name === 'one 30-day outstanding action');
  if (!path) throw new Error('test/workflow/cost-paths.ts has no "one 30-day outstanding action" path');
  const h = await Harness.start({ profile: path.profile });
  const scan = async (): Promise<RawItem[]> => {
    const items: RawItem[] = [];
    let start: RawItem | undefined;
    do {
      const page = await h.system.dynamo.send(
        new ScanCommand({ TableName: LOCAL_TABLE, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };
  const workflow = new Map<string, { items: RawItem[]; event: unknown }>();
  // The engine calls its handlers through this record (bound when an execution starts): each is wrapped so
  // the table is copied the first time it is invoked, before it runs.
  const handlers = (h.system.sfn as unknown as { handlers: Record<string, LambdaHandler> }).handlers;
  for (const [functionName, handler] of Object.entries(handlers)) {
    const name = functionName.replace(/^local:/, '');
    handlers[functionName] = async (event, context) => {
      if (!workflow.has(name)) workflow.set(name, { items: await scan(), event });
      return handler(event, context);
    };
  }
  try {
    const caseId = await path.run(h);
    await h.system.settle();
    return { caseId, workflow, final: await scan() };
  } finally {
    await h.stop();
  }
}

/**
 * dynalite in this process, serving a fresh table per cold start (a first request's writes must not change what
 * the next one meets); its CPU is this process's, not the function's.
 */
export class FirstRequestDynamo {
  private readonly server = dynaliteServer({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  private client: DynamoDBClient | undefined;
  private count = 0;
  endpoint = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.client = new DynamoDBClient({
      endpoint: this.endpoint,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
  }

  /** A new table holding the items; its name. */
  async table(items: readonly RawItem[]): Promise<string> {
    const client = this.started();
    const tableName = `bench-${++this.count}`;
    await createActiveTable(client, tableName);
    for (let at = 0; at < items.length; at += 25) {
      let requests: Record<string, Array<{ PutRequest: { Item: RawItem } }>> | undefined = {
        [tableName]: items.slice(at, at + 25).map((item) => ({ PutRequest: { Item: item } })),
      };
      while (requests && Object.keys(requests).length) {
        const written = await client.send(new BatchWriteItemCommand({ RequestItems: requests }));
        requests = written.UnprocessedItems as typeof requests;
      }
    }
    return tableName;
  }

  async drop(tableName: string): Promise<void> {
    await this.started().send(new DeleteTableCommand({ TableName: tableName }));
  }

  stop(): void {
    this.client?.destroy();
    this.server.close();
  }

  private started(): DynamoDBClient {
    if (!this.client) throw new Error('FirstRequestDynamo.start() first');
    return this.client;
  }
}
