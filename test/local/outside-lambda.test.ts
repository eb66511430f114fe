import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The X-Ray SDK (loaded by the Powertools tracer) installs an async hook tracking every promise when it loads in
 * its automatic mode: only useful in Lambda, a cost on every request locally. The tracer is imported only with
 * TRACE_SDK_CALLS=true (ADR 0015); with it, the runtime's manual mode keeps the hook off. Checked in a fresh Node
 * process, as `npm start` loads the runtime, because a module loads once per process.
 */
describe('the local runtime outside Lambda', () => {
  it.each([
    ['runtime.ts', ''],
    ['system.ts', ''],
    ['runtime.ts', 'true'],
    ['system.ts', 'true'],
  ])(
    'loads no X-Ray async hook (importing infra/local/%s, TRACE_SDK_CALLS=%s)',
    async (module, traceSdkCalls) => {
      const { AWS_XRAY_MANUAL_MODE: _inherited, ...env } = process.env;
      const script = `await import('./infra/local/${module}');
const namespaces = process.namespaces;
console.log(JSON.stringify({ clsLoaded: namespaces !== undefined, hooked: Object.keys(namespaces ?? {}) }));`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: ROOT, env: { ...env, TRACE_SDK_CALLS: traceSdkCalls } },
      );
      // With the tracer on, cls-hooked is loaded (the tracer and its X-Ray SDK were imported), but no namespace
      // hooks promises; with it off (the default), the X-Ray SDK is not loaded at all.
      expect(JSON.parse(stdout)).toEqual({ clsLoaded: traceSdkCalls === 'true', hooked: [] });
    },
    60_000,
  );
});
