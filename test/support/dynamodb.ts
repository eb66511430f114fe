import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#shared/adapters/dynamodb-case-store.ts';
import { createTableInput } from '#shared/adapters/table-design.ts';
import { dynaliteServer } from '../../infra/local/dynalite.ts';

/** What the SDK needs to talk to dynalite: any region and credentials do, the endpoint must be its own. */
export const LOCAL_AWS = {
  region: 'eu-west-2',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

export interface LocalDynamo {
  endpoint: string;
  /** A client for this dynalite (a new one each call, so middleware added to one stays with it). */
  client(): DynamoDBClient;
  /** Creates a table with the deployed design (`table-design.ts`) and returns its name. */
  createTable(name?: string): Promise<string>;
  /** Every item in the table, as the document client would return it. */
  scan(tableName: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

let tables = 0;
let middlewares = 0;

/**
 * Starts an in-memory dynalite on a random port: one per test file (in `beforeAll`), with a fresh table per
 * test where the tests need an empty one.
 */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynaliteServer({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = () => new DynamoDBClient({ endpoint, ...LOCAL_AWS });
  const admin = client();
  const documents = createDocumentClient(admin);
  return {
    endpoint,
    client,
    async createTable(name = `complaints-test-${++tables}`) {
      await admin.send(new CreateTableCommand(createTableInput(name)));
      return name;
    },
    async scan(tableName) {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async stop() {
      admin.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The partition key a single-item write names, as a document client's input or as marshalled. */
function partitionKey(input: Record<string, unknown>): string | undefined {
  const item = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  const pk = item?.pk;
  if (typeof pk === 'string') return pk;
  const marshalled = (pk as { S?: unknown } | undefined)?.S;
  return typeof marshalled === 'string' ? marshalled : undefined;
}

/** DynamoDB operations that write. */
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
export type WriteOperation =
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'TransactWriteItems';

/** A DynamoDB client, or a document client built on one (they share one middleware stack). */
type AnyClient = DynamoDBClient | DynamoDBDocumentClient;

export interface CommandCall {
  /** The DynamoDB operation: `PutItem`, `Query`, ... (a document client's `PutCommand` is a `PutItem`). */
  operation: string;
  /** The input as the caller gave it (before the document client marshals it). */
  input: Record<string, unknown>;
}

/**
 * Watches a client's commands and can make chosen writes fail. Faults are thrown by a middleware in the
 * client's initialize step, outside the SDK's retry loop: the caller sees exactly what it sees once the SDK
 * has given up on a throttled or failing DynamoDB. Nothing reaches the table for a failed write.
 */
export class DynamoWatch {
  readonly calls: CommandCall[] = [];
  private readonly plans: {
    operation?: WriteOperation;
    keyPrefix?: string;
    remaining: number;
    error: () => Error;
  }[] = [];

  /** Adds the watching middleware to a client; call once per client (or per document client's base). */
  attach(client: AnyClient): this {
    (client as DynamoDBClient).middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName).replace(/Command$/, '');
        this.calls.push({ operation, input: args.input as Record<string, unknown> });
        if (WRITES.has(operation)) {
          const key = partitionKey(args.input as Record<string, unknown>);
          const matching = this.plans.filter(
            (plan) =>
              (!plan.operation || plan.operation === operation) &&
              (!plan.keyPrefix || key?.startsWith(plan.keyPrefix)),
          );
          for (const plan of matching) plan.remaining--;
          const due = matching.filter((plan) => plan.remaining === 0);
          for (const plan of due) this.plans.splice(this.plans.indexOf(plan), 1);
          if (due[0]) throw due[0].error();
        }
        return next(args);
      },
      { step: 'initialize', name: `dynamoWatch${++middlewares}` },
    );
    return this;
  }

  /**
   * The nth write from now (counting only `operation` and items whose partition key starts with `keyPrefix`,
   * if given; 1 is the next) fails with the error. Each call plans one independent fault:
   * `failNthWrite({ error })` then `failNthWrite({ nth: 2, error })` fails the next two writes. Naming the
   * item (`keyPrefix: 'TASK#'`) keeps a test aimed at its write when the code adds writes to other items.
   */
  failNthWrite(options: {
    nth?: number;
    operation?: WriteOperation;
    keyPrefix?: string;
    error: Error | (() => Error);
  }): this {
    const { nth = 1, operation, keyPrefix, error } = options;
    if (nth < 1) throw new Error('failNthWrite: nth counts from 1 (the next write)');
    this.plans.push({
      operation,
      keyPrefix,
      remaining: nth,
      error: typeof error === 'function' ? error : () => error,
    });
    return this;
  }

  /** The calls made so far for one operation (`'Query'`, `'PutItem'`, ...). */
  callsTo(operation: string): CommandCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  /** Forgets the calls recorded so far (planned faults stay planned). */
  resetCalls(): void {
    this.calls.length = 0;
  }
}

/**
 * Makes the nth write through this client fail with the error, as DynamoDB answers once the SDK gives up.
 *
 * @example
 * failNthWrite(client, { operation: 'UpdateItem', error: new ProvisionedThroughputExceededException({ ... }) });
 */
export function failNthWrite(
  client: AnyClient,
  options: { nth?: number; operation?: WriteOperation; error: Error | (() => Error) },
): DynamoWatch {
  return new DynamoWatch().attach(client).failNthWrite(options);
}
