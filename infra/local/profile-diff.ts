import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDocumentClient, DynamoDbCaseStore } from '#shared/adapters/dynamodb-case-store.ts';
import { OPEN_STATUSES } from '#shared/domain/case.ts';
import { type DeadlineChange, deadlineChange } from '#shared/domain/deadline-changes.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import type { Clock } from '#shared/ports/clock.ts';
import { assertNotRunning, LocalBackupError, withTable } from './backup.ts';
import { LOCAL_TABLE } from './data-dir.ts';

/** The runtime's virtual time on a stopped data directory: real time plus the offset it saved (runtime.ts). */
export function virtualNow(dataDir: string, clock: Clock): Date {
  const file = join(dataDir, 'runtime.json');
  const offset = existsSync(file)
    ? Number((JSON.parse(readFileSync(file, 'utf8')) as { clockOffsetMs?: number }).clockOffsetMs ?? 0)
    : 0;
  return new Date(clock.now().getTime() + offset);
}

/** The open cases of a stopped local data directory whose due dates the new profile would move; writes nothing. */
export async function diffLocalProfile(
  dataDir: string,
  current: ProviderProfile,
  next: ProviderProfile,
  now: Date,
): Promise<DeadlineChange[]> {
  const dir = resolve(dataDir);
  if (!existsSync(join(dir, 'dynamodb'))) {
    throw new LocalBackupError(
      `${dir} has no local data (no dynamodb folder): pass the runtime's --data-dir`,
    );
  }
  assertNotRunning(dir);
  return withTable(dir, async (client) => {
    const store = new DynamoDbCaseStore(LOCAL_TABLE, createDocumentClient(client));
    const changes: DeadlineChange[] = [];
    for (const status of OPEN_STATUSES) {
      for (const state of await store.listByStatus(status, Number.POSITIVE_INFINITY)) {
        const events = await store.loadEvents(state.caseId);
        const change = deadlineChange(state.caseId, events, current, next, now.toISOString());
        if (change) changes.push(change);
      }
    }
    return changes.sort((a, b) => a.reference.localeCompare(b.reference));
  });
}
