import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynaliteOptions } from 'dynalite';
import { createTableInput } from '#shared/adapters/table-design.ts';

const fromHere = createRequire(import.meta.url);
const dynaliteEntry = fromHere.resolve('dynalite');
const fromDynalite = createRequire(dynaliteEntry);

type MemoryLevelClass = new (options?: Record<string, unknown>) => object;

type Create = (options?: DynaliteOptions) => Server;

type IteratorPrototype = { close(): Promise<void>; return?: () => Promise<IteratorResult<never>> };

/**
 * Process-wide, not module-wide: a test runner that evaluates this module again in the same process (Node's
 * require cache keeps dynalite loaded) must reuse the dynalite it loaded, not find it "loaded before".
 */
const LOADED = Symbol.for('complaints.local.dynalite');

/**
 * Starts dynalite: on disk with a `path`, otherwise in memory. Every dynalite in this repository starts here,
 * never through `import 'dynalite'`.
 *
 * Without a path dynalite keeps the table in memory-level, which by default stores each key and value as a
 * Buffer made by Buffer.from: below 4 KB that is a slice of Node's shared 8 KB allocation pool, and one stored
 * slice keeps its whole slab alive. The runtime's other work (the SDK, HTTP, JSON) fills the rest of each slab
 * with short-lived data, so a few hundred bytes stored pinned kilobytes: the lifecycle bench's external memory
 * grew 0.73 MiB per closed case (issue 12). Told to store strings, memory-level keeps exactly the data, in the
 * JavaScript heap. dynalite reads memory-level's class once, when it loads, so the store encoding is set by
 * loading dynalite with the class replaced.
 *
 * Order: strings compare by UTF-16 code unit, bytes by UTF-8, which differ only between characters beyond
 * U+FFFF and those from U+E000 to U+FFFF in a key; the application's keys are ASCII.
 *
 * dynalite also never closed the iterator behind a Query or Scan: its stream closes one through
 * `iterator.return()`, which abstract-level 3 iterators do not have, so every query left an open iterator
 * registered with the store, pinning that moment's snapshot of the table (memory-level's whole tree as it was
 * then; on disk, a LevelDB snapshot). The lifecycle bench held two more per intake, and its live heap grew about
 * 0.2 MiB per closed case beyond the data (issue 12). Loading dynalite gives abstract-level's iterators a
 * `return()` that closes them.
 */
export function dynaliteServer(options: DynaliteOptions): Server {
  const loaded = globalThis as { [LOADED]?: Create };
  loaded[LOADED] ??= loadDynalite();
  return loaded[LOADED](options);
}

function loadDynalite(): Create {
  const dbModule = fromDynalite.resolve('./db/index.js');
  if (fromHere.cache[dbModule]) {
    throw new Error(
      "dynalite was loaded before infra/local/dynalite.ts could set its store: start it with dynaliteServer, not import 'dynalite'",
    );
  }
  closeIteratorsOnReturn(fromDynalite('abstract-level') as { AbstractValueIterator: { prototype: object } });
  const memoryLevel = fromDynalite('memory-level') as { MemoryLevel: MemoryLevelClass };
  const Original = memoryLevel.MemoryLevel;
  memoryLevel.MemoryLevel = class extends Original {
    constructor(options?: Record<string, unknown>) {
      super({ storeEncoding: 'utf8', ...options });
    }
  };
  try {
    return fromHere('dynalite') as Create;
  } finally {
    memoryLevel.MemoryLevel = Original;
  }
}

/** On the base of abstract-level's key, value and entry iterators, so dynalite's streams close what they read. */
function closeIteratorsOnReturn(abstractLevel: { AbstractValueIterator: { prototype: object } }): void {
  const common = Object.getPrototypeOf(abstractLevel.AbstractValueIterator.prototype) as IteratorPrototype;
  if (common.return) return;
  common.return = async function (this: IteratorPrototype) {
    await this.close();
    return { done: true, value: undefined as never };
  };
}

/**
 * Creates the application's table and returns once it is ACTIVE. dynalite answers CreateTable with the table
 * still CREATING and makes it ACTIVE on a later timer (on disk, after its LevelDB write); until then every read
 * and write says the table does not exist.
 */
export async function createActiveTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((ready) => setTimeout(ready, 1));
  }
}
