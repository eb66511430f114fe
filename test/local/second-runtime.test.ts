import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localReset } from '../../infra/local/cli.ts';
import { freePort, launch } from '../support/local-process.ts';

// A second `npm start` on a data directory a runtime is using, with other ports: dynalite's lock made it crash
// with "Database is closed" and a stack trace; it now says which directory and what to do, and exits 3.

describe('a second runtime on the same data directory', () => {
  const started: Array<ReturnType<typeof launch>> = [];
  afterEach(() => {
    for (const run of started.splice(0)) run.proc.kill('SIGKILL');
  });

  const start = async (dataDir: string) => {
    const ports = [await freePort(), await freePort(), await freePort()].map(String);
    const run = launch([
      ...['--data-dir', dataDir, '--port', ports[0] as string],
      ...['--ses-port', ports[1] as string, '--smtp-port', ports[2] as string],
    ]);
    started.push(run);
    return run;
  };

  it('is refused with the directory and what to do, without a stack trace', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rt-second-'));
    const banner = await (await start(dataDir)).ready;
    // The banner's command runs as written from the project folder, and moves this runtime, not the one on .data.
    expect(banner).toContain(`(npx complaints local advance --working-days 5 --data-dir ${dataDir})`);
    const second = await start(dataDir);
    const failure = (await second.ready.then(
      () => undefined,
      (error: Error & { code: number }) => error,
    )) as (Error & { code: number }) | undefined;
    expect(failure?.code).toBe(3);
    const output = second.output();
    expect(output).toContain(`A runtime is already using ${dataDir}`);
    expect(output).toContain('--data-dir');
    expect(output).not.toMatch(/Database is closed|\n\s+at /);
  }, 60_000);

  it('reset is refused while a runtime uses the directory, saying which and what to do; the runtime carries on', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rt-reset-'));
    const run = await start(dataDir);
    await run.ready;
    const url = /Staff console\s+(http:\/\/[^/\s]+)\/staff/.exec(run.output())?.[1];
    const said: string[] = [];
    const code = await localReset(['--data-dir', dataDir, '--yes'], {
      out: (text) => said.push(text),
      err: (text) => said.push(text),
    });
    expect(code).toBe(3);
    expect(said.join('\n')).toBe(
      `complaints: a runtime is using ${dataDir} (process ${run.proc.pid}, ${url}): stop it first (Ctrl-C in its terminal), then reset. Nothing deleted.`,
    );
    expect(existsSync(join(dataDir, 'running.json'))).toBe(true);
    expect((await fetch(`${url}/local/health`)).status).toBe(200);
    // Stopped, the same reset deletes.
    run.proc.kill('SIGTERM');
    await run.exited;
    expect(
      await localReset(['--data-dir', dataDir, '--yes'], { out: () => undefined, err: () => undefined }),
    ).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);
});
