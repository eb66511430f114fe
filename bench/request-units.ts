/**
 * DynamoDB request units for a list of recorded requests, by AWS's size rules (indexes included). Pure: the
 * cost model (bench/cost-model.ts) and its unit test share it.
 */
import { GLOBAL_SECONDARY_INDEXES } from '#shared/adapters/table-design.ts';
import type { DynamoCall } from '../test/workflow/cost-paths.ts';

// DynamoDB's item size rules (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
// names and strings by their UTF-8 length, numbers about one byte per two digits plus one, a list or map 3 bytes
// plus 1 per element.
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
function valueSize(value: unknown): number {
  if (value === undefined) return 0;
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return Math.ceil(String(value).replace(/[-.]/g, '').length / 2) + 1;
  if (typeof value === 'string') return bytes(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueSize(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueSize(v), 0);
  return 3 + Object.entries(value).reduce((sum, [k, v]) => sum + 1 + bytes(k) + valueSize(v), 0);
}
export type Item = Record<string, unknown>;
const itemSize = (item: Item) =>
  Object.entries(item).reduce((sum, [k, v]) => (v === undefined ? sum : sum + bytes(k) + valueSize(v)), 0);
const writeUnits = (size: number) => Math.max(1, Math.ceil(size / 1024));
const keyOf = (item: Item) => `${item.pk}\u0000${item.sk}`;

/** The part of an item an index holds: its keys, the table's keys and the attributes it includes. */
function indexed(index: (typeof GLOBAL_SECONDARY_INDEXES)[number], item: Item | undefined): Item | undefined {
  if (!item || item[index.partitionKey] === undefined || item[index.sortKey] === undefined) return undefined;
  const names = ['pk', 'sk', index.partitionKey, index.sortKey, ...index.include];
  return Object.fromEntries(
    names.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]),
  );
}

const CONDITIONAL_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/**
 * Request units for the calls, in order. Items written are remembered, so a put is charged on the larger of the
 * old and new item and each index on what it holds before and after (a changed index key is a delete and a put).
 */
export function requestUnits(calls: readonly DynamoCall[]): {
  read: number;
  write: number;
  indexWrite: number;
} {
  const stored = new Map<string, Item>();
  let read = 0;
  let write = 0;
  let indexWrite = 0;
  const charge = (before: Item | undefined, after: Item | undefined) => {
    write += writeUnits(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0));
    for (const index of GLOBAL_SECONDARY_INDEXES) {
      const old = indexed(index, before);
      const now = indexed(index, after);
      if (!old && !now) continue;
      const sameKey =
        old &&
        now &&
        old[index.partitionKey] === now[index.partitionKey] &&
        old[index.sortKey] === now[index.sortKey];
      if (sameKey) indexWrite += writeUnits(Math.max(itemSize(old), itemSize(now)));
      else indexWrite += (old ? writeUnits(itemSize(old)) : 0) + (now ? writeUnits(itemSize(now)) : 0);
    }
    if (after) stored.set(keyOf(after), after);
  };
  const readUnits = (size: number, consistent: boolean) =>
    Math.max(1, Math.ceil(size / 4096)) * (consistent ? 1 : 0.5);
  for (const { operation, input, output, failed } of calls) {
    if (failed) {
      // A refused conditional write changes nothing (no index write, the item as it was) but is still charged,
      // on the size of the item already there, one unit at least (DynamoDB developer guide, "Capacity unit
      // consumption for write operations"). Other failures (validation, throttling) are not charged.
      if (failed === 'ConditionalCheckFailedException' && CONDITIONAL_WRITES.has(operation)) {
        const existing = stored.get(keyOf((input.Key ?? input.Item) as Item));
        write += writeUnits(existing ? itemSize(existing) : 0);
      }
      continue;
    }
    switch (operation) {
      case 'GetItem': {
        const item = output.Item as Item | undefined;
        read += readUnits(item ? itemSize(item) : 0, input.ConsistentRead === true);
        break;
      }
      case 'Query':
      case 'Scan': {
        const size = ((output.Items as Item[] | undefined) ?? []).reduce(
          (sum, item) => sum + itemSize(item),
          0,
        );
        read += readUnits(size, input.ConsistentRead === true && !input.IndexName);
        break;
      }
      case 'BatchGetItem': {
        for (const [table, items] of Object.entries((output.Responses as Record<string, Item[]>) ?? {})) {
          const consistent = (input.RequestItems as Record<string, { ConsistentRead?: boolean }>)[table]
            ?.ConsistentRead;
          for (const item of items) read += readUnits(itemSize(item), consistent === true);
        }
        break;
      }
      case 'PutItem': {
        const item = input.Item as Item;
        charge(stored.get(keyOf(item)), item);
        break;
      }
      case 'UpdateItem': {
        const key = input.Key as Item;
        const before = stored.get(keyOf(key));
        // The item after the update: returned whole only with ALL_NEW (a projection save asks for the old one).
        const after =
          input.ReturnValues === 'ALL_NEW'
            ? (output.Attributes as Item)
            : updated(before, key, input as Item);
        charge(before, after);
        break;
      }
      case 'DeleteItem': {
        charge(stored.get(keyOf(input.Key as Item)), undefined);
        stored.delete(keyOf(input.Key as Item));
        break;
      }
      case 'BatchWriteItem': {
        for (const requests of Object.values(input.RequestItems as Record<string, Item[]>)) {
          for (const request of requests) {
            const put = (request.PutRequest as { Item: Item } | undefined)?.Item;
            if (put) charge(stored.get(keyOf(put)), put);
          }
        }
        break;
      }
      case 'TransactWriteItems': {
        // A transactional write costs two units per KB of each item.
        const before = write + indexWrite;
        for (const entry of input.TransactItems as Item[]) {
          const put = (entry.Put as { Item: Item } | undefined)?.Item;
          if (put) charge(stored.get(keyOf(put)), put);
        }
        const spent = write + indexWrite - before;
        write += spent;
        break;
      }
      default:
        throw new Error(`The bench cannot price DynamoDB ${operation}: add its rule`);
    }
  }
  return { read, write, indexWrite };
}

/** An update without its new image: the old item, with index keys it removes gone and those it sets present. */
function updated(before: Item | undefined, key: Item, input: Item): Item {
  const expression = String(input.UpdateExpression);
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Item;
  const name = (token: string) => names[token] ?? token;
  const next: Item = { ...(before ?? key) };
  // `SET a = :a, #b = :b` takes the values as written (a projection save sets the whole state this way);
  // anything computed (list_append, if_not_exists, ADD) keeps the attribute as it was.
  const set = /SET (.*?)(?: REMOVE | ADD |$)/i.exec(expression)?.[1] ?? '';
  for (const assignment of set.split(',')) {
    const [target, value] = assignment.split('=').map((part) => part.trim());
    if (target && value && /^:\w+$/.test(value) && value in values) next[name(target)] = values[value];
  }
  const removed = /REMOVE (.*?)(?: SET | ADD |$)/i.exec(expression)?.[1] ?? '';
  for (const target of removed.split(',').map((part) => part.trim())) if (target) delete next[name(target)];
  for (const index of GLOBAL_SECONDARY_INDEXES) {
    if (
      next[index.partitionKey] === undefined &&
      new RegExp(`SET .*${index.partitionKey} =`).test(expression)
    ) {
      next[index.partitionKey] = 'set';
      next[index.sortKey] ??= 'set';
    }
  }
  return next;
}
