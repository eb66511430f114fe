import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A port nothing listens on now, for a runtime started as a child process. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts the local runtime the way `npm start` does; `ready` settles on its banner, or rejects if it exits. */
export function launch(args: string[]) {
  // As from a shell: the Powertools names vitest sets for the suites are the runtime's to set, not inherited.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('POWERTOOLS_')),
  );
  const proc = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', ...args], {
    env: { ...env, TZ: 'Europe/London' },
  });
  let output = '';
  proc.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  proc.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('Press Ctrl-C')) {
        clearInterval(timer);
        resolve(output);
      }
    }, 50);
    proc.on('exit', (code) => {
      clearInterval(timer);
      reject(Object.assign(new Error(output), { code }));
    });
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  return { proc, ready, exited, output: () => output };
}
