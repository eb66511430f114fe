import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Names in the local data directory that commands other than the runtime need (export, import), kept apart
 * from the runtime's modules so those commands do not load every handler.
 */
export const LOCAL_TABLE = 'complaints-local';

/** Written while a runtime runs on the directory: its addresses and process id. */
export const RUNNING_FILE = 'running.json';

/** Whether the process a running.json names is still alive (EPERM: alive, but another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Written when the runtime stops cleanly (its requests answered, dynalite drained and closed) and removed when it
 * starts: a start that finds it absent follows a kill, a crash or a runtime from before the marker, and repairs
 * what that can leave half-written (crash-repair.ts).
 */
export const CLEAN_STOP_FILE = 'clean-stop';

/**
 * The other process running on the directory, from its running.json: a file left by a process that died does
 * not count. Read here, not in runtime.ts, so reset does not load every handler to ask.
 */
export function liveRuntimeOn(dataDir: string): { pid: number; url: string } | undefined {
  const file = join(resolve(dataDir), RUNNING_FILE);
  if (!existsSync(file)) return undefined;
  const running = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; url: string };
  return running.pid !== process.pid && isAlive(running.pid) ? running : undefined;
}
