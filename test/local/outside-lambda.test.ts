import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The X-Ray SDK (loaded by the Powertools tracer) installs an async hook tracking every promise when it loads in
 * its automatic mode: only useful in Lambda, a cost on every request locally. Checked in a fresh Node process,
 * as `npm start` loads the runtime, because a module loads once per process.
 */
describe('the local runtime outside Lambda', () => {
  it.each(['runtime.ts', 'system.ts'])(
    'loads the tracer without the X-Ray async hook (importing infra/local/%s)',
    async (module) => {
      const { AWS_XRAY_MANUAL_MODE: _inherited, ...env } = process.env;
      const script = `await import('./infra/local/${module}');
const namespaces = process.namespaces;
console.log(JSON.stringify({ clsLoaded: namespaces !== undefined, hooked: Object.keys(namespaces ?? {}) }));`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: ROOT, env },
      );
      // cls-hooked is loaded (the tracer and its X-Ray SDK were imported), but no namespace hooks promises.
      expect(JSON.parse(stdout)).toEqual({ clsLoaded: true, hooked: [] });
    },
    60_000,
  );
});
