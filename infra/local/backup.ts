import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { CLEAN_STOP_FILE, LOCAL_TABLE, liveRuntimeOn, RUNNING_FILE } from './data-dir.ts';
import { createActiveTable, dynaliteServer } from './dynalite.ts';
import { inProcessDynamo } from './in-process-dynamo.ts';

/**
 * One file holding a whole local data directory: every table item (as DynamoDB's typed JSON, so nothing is
 * lost to marshalling) and every other file (letters, attachments, raw emails, the outbox, the clock) by its
 * path in the directory. The local stand-in for AWS Backup's table and bucket recovery points.
 */
export interface LocalExport {
  format: 'complaints-local-export';
  version: 1;
  exportedAt: string;
  table: { name: string; items: Array<Record<string, AttributeValue>> };
  files: Array<{ path: string; base64: string }>;
}

// The table's own files are exported as items, running.json names a process, not data, and the clean-stop
// marker speaks for the table it was written beside: an imported one is repaired at its first start.
const NOT_EXPORTED = new Set(['dynamodb', RUNNING_FILE, CLEAN_STOP_FILE]);

export class LocalBackupError extends Error {
  override readonly name = 'LocalBackupError';
}

/** dynalite locks its LevelDB directory: a second instance on a running runtime's data would crash it. */
export function assertNotRunning(dataDir: string): void {
  const running = liveRuntimeOn(dataDir);
  if (running) {
    throw new LocalBackupError(
      `A runtime is running on ${dataDir} (process ${running.pid}, ${running.url}): stop it (Ctrl-C) first`,
    );
  }
}

export async function withTable<T>(dataDir: string, use: (client: DynamoDBClient) => Promise<T>): Promise<T> {
  const path = join(dataDir, 'dynamodb');
  mkdirSync(path, { recursive: true });
  const server = dynaliteServer({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: inProcessDynamo(server),
  });
  try {
    return await use(client);
  } finally {
    client.destroy();
    await new Promise<void>((closed) => server.close(() => closed()));
  }
}

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (dir === root && NOT_EXPORTED.has(name)) return [];
    return statSync(path).isDirectory() ? listFiles(root, path) : [relative(root, path)];
  });
}

/** Writes everything in a stopped runtime's data directory to one JSON file; returns what it holds. */
export async function exportLocalData(
  dataDir: string,
  file: string,
  now = new Date(),
): Promise<{ items: number; files: number }> {
  const dir = resolve(dataDir);
  if (!existsSync(join(dir, 'dynamodb'))) {
    throw new LocalBackupError(`${dir} has no local data to export (no dynamodb folder)`);
  }
  assertNotRunning(dir);
  const items = await withTable(dir, async (client) => {
    const found: Array<Record<string, AttributeValue>> = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      // A backup reads every item: the one place a scan is the point.
      const page = await client.send(
        new ScanCommand({ TableName: LOCAL_TABLE, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      found.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  });
  const files = listFiles(dir).map((path) => ({
    path: path.split(sep).join('/'),
    base64: readFileSync(join(dir, path)).toString('base64'),
  }));
  const exported: LocalExport = {
    format: 'complaints-local-export',
    version: 1,
    exportedAt: now.toISOString(),
    table: { name: LOCAL_TABLE, items },
    files,
  };
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, JSON.stringify(exported));
  return { items: items.length, files: files.length };
}

function readExport(file: string): LocalExport {
  let parsed: Partial<LocalExport>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalExport>;
  } catch (error) {
    throw new LocalBackupError(`${file} is not a local export: ${(error as Error).message}`);
  }
  if (parsed.format !== 'complaints-local-export' || parsed.version !== 1) {
    throw new LocalBackupError(
      `${file} is not a local export (version 1) written by \`complaints local export\``,
    );
  }
  if (!Array.isArray(parsed.table?.items) || !Array.isArray(parsed.files)) {
    throw new LocalBackupError(`${file} is incomplete: it has no table items or no file list`);
  }
  return parsed as LocalExport;
}

/**
 * Restores an export into a data directory that is new or empty (never over data: a restore that merged
 * into a live store could not say which version of a case is the true one).
 */
export async function importLocalData(
  file: string,
  dataDir: string,
): Promise<{ items: number; files: number }> {
  const exported = readExport(file);
  const dir = resolve(dataDir);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new LocalBackupError(
      `${dir} is not empty: restore into a new data directory (--data-dir), or delete this one first (complaints local reset)`,
    );
  }
  for (const { path } of exported.files) {
    const target = resolve(dir, path);
    if (!target.startsWith(`${dir}${sep}`) || NOT_EXPORTED.has(path.split('/')[0] ?? '')) {
      throw new LocalBackupError(`${file} names a file outside the data directory: ${path}`);
    }
  }
  await withTable(dir, async (client) => {
    await createActiveTable(client, LOCAL_TABLE);
    const { items } = exported.table;
    for (let index = 0; index < items.length; index += 25) {
      let requests: Record<string, Array<{ PutRequest: { Item: Record<string, AttributeValue> } }>> = {
        [LOCAL_TABLE]: items.slice(index, index + 25).map((Item) => ({ PutRequest: { Item } })),
      };
      while (Object.keys(requests).length > 0) {
        const { UnprocessedItems } = await client.send(new BatchWriteItemCommand({ RequestItems: requests }));
        requests = (UnprocessedItems ?? {}) as typeof requests;
      }
    }
  });
  for (const { path, base64 } of exported.files) {
    const target = resolve(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, Buffer.from(base64, 'base64'));
  }
  return { items: exported.table.items.length, files: exported.files.length };
}
