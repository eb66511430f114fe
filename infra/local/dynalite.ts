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

type Callback<T = unknown> = (error: Error | null | undefined, value?: T) => void;

/** The part of dynalite's store (db/index.js) whose table descriptions are cached. */
interface DynaliteStore {
  tableDb: {
    get(key: string, callback: Callback): void;
    put(key: string, value: unknown, callback: Callback): void;
    del(key: string, callback: Callback): void;
    batch(operations: Array<{ key: string }>, callback: Callback): void;
  };
  getTable(name: string, checkStatus: boolean | Callback, callback?: Callback): void;
  recreate(): void;
}

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
    // After memory-level's class is replaced: the store module reads it as it loads.
    cacheTableDescriptions(fromDynalite('./db/index.js') as { create(options: unknown): DynaliteStore });
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

/**
 * dynalite reads the table's description from its store (LevelDB on disk, a few KB of JSON) at the start of
 * every request, to check the table exists and read its key schema and indexes: one of each request's two to
 * four reads, for a value that changes only with CreateTable, UpdateTable and DeleteTable (issue 12). Each store
 * dynalite creates keeps the descriptions it has read, frozen, and drops one whenever it is written or deleted;
 * a read that overlapped a write of the same table is not kept, so the cache never holds what a write replaced.
 * The item operations (which ask `getTable` with a status check) share the frozen object: none of them changes
 * it. The table operations, which change the description they are given before writing it back, get a copy.
 */
function cacheTableDescriptions(db: { create(options: unknown): DynaliteStore }): void {
  const create = db.create;
  db.create = (options) => withTableCache(create(options));
}

function withTableCache(store: DynaliteStore): DynaliteStore {
  const { tableDb } = store;
  const get = tableDb.get.bind(tableDb);
  const put = tableDb.put.bind(tableDb);
  const del = tableDb.del.bind(tableDb);
  const batch = tableDb.batch.bind(tableDb);
  const cached = new Map<string, object>();
  // Per table: writes under way, and a count of writes begun (a read keeps its value only if neither moved).
  const writing = new Map<string, number>();
  const writes = new Map<string, number>();
  const writeOf = (keys: string[], callback: Callback, run: (done: Callback) => void) => {
    for (const key of keys) {
      cached.delete(key);
      writing.set(key, (writing.get(key) ?? 0) + 1);
      writes.set(key, (writes.get(key) ?? 0) + 1);
    }
    run((error, value) => {
      for (const key of keys) {
        cached.delete(key);
        const left = (writing.get(key) ?? 1) - 1;
        if (left > 0) writing.set(key, left);
        else writing.delete(key);
      }
      callback?.(error, value);
    });
  };
  tableDb.get = (key, callback) => {
    const table = cached.get(key);
    if (table !== undefined) {
      // Answered in a later turn of the event loop, as a read from the store is. A microtask answered the
      // same requests in lock-step: ten intakes at once then probed the same reference numbers round after
      // round, and a few in 400 gave up after 50 probes (409, "try again").
      setImmediate(() => callback(null, table));
      return;
    }
    const begun = writes.get(key) ?? 0;
    const clean = !writing.has(key);
    get(key, (error, value) => {
      if (!error && value && clean && !writing.has(key) && (writes.get(key) ?? 0) === begun) {
        cached.set(key, deepFreeze(structuredClone(value)));
      }
      callback(error, value);
    });
  };
  tableDb.put = (key, value, callback) => writeOf([key], callback, (done) => put(key, value, done));
  tableDb.del = (key, callback) => writeOf([key], callback, (done) => del(key, done));
  tableDb.batch = (operations, callback) =>
    writeOf(
      operations.map((operation) => operation.key),
      callback,
      (done) => batch(operations, done),
    );
  const getTable = store.getTable;
  store.getTable = (name, checkStatus, callback) => {
    // With a status check (a function in its place): an item operation, which only reads the description.
    if (typeof checkStatus === 'function') return getTable(name, checkStatus);
    getTable(name, checkStatus, (error, table) => callback?.(error, table && structuredClone(table)));
  };
  // A store closed and opened again (dynalite's server listening again) is a new store: cached anew.
  const recreate = store.recreate;
  store.recreate = function (this: DynaliteStore) {
    recreate.call(this);
    withTableCache(this);
  };
  return store;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
