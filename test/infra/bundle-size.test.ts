import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLE_LIMIT_BYTES, bundleContents, functionModules, ROOT } from '../../bench/function-bundles.ts';

/**
 * Every function is within the 300 KB target (issue 12): the tracer comes from the Powertools layer (ADR 0011),
 * email intake parses MIME with its own adapter (shared/adapters/mime-parts.ts) and checks its S3 event with its
 * own schema, schemas are written in `zod/mini` (36 KB of zod in each function, against 96 KB for the classic
 * API), the pages are six functions, one per audience and page group (PAGE_FUNCTIONS in functions/routes.ts;
 * 522 KB when one function served them all), and the staff case page carries only the three letters it previews
 * (shared/notifications/stage-letters.ts). A function that goes over is made smaller.
 */
describe('Lambda bundle sizes (built as the CDK builds them, AWS SDK external)', () => {
  const bundles = bundleContents();

  it('measures every workflow and email function (the scheduled jobs included)', () => {
    const measured = new Set(functionModules().map(({ module }) => module));
    const handlers = ['workflow', 'email'].flatMap((dir) =>
      readdirSync(`${ROOT}functions/${dir}`)
        .filter((file) =>
          /export const handler\b/.test(readFileSync(`${ROOT}functions/${dir}/${file}`, 'utf8')),
        )
        .map((file) => `${dir}/${file.replace(/\.ts$/, '')}`),
    );
    expect(handlers.filter((module) => !measured.has(module))).toEqual([]);
  });

  it('every function is within 300 KB', async () => {
    const sizes = await bundles;
    expect(sizes.size).toBeGreaterThan(10);
    const over = [...sizes]
      .filter(([, { bytes }]) => bytes > BUNDLE_LIMIT_BYTES)
      .map(([name, { bytes }]) => `${name}: ${Math.ceil(bytes / 1024)} KB > 300 KB`);
    expect(over).toEqual([]);
  }, 180_000);

  it("carries zod's mini API, not its classic one (60 KB more in each bundle)", async () => {
    const withClassic = [...(await bundles)]
      .filter(([, { inputs }]) => [...inputs.keys()].some((path) => path.includes('zod/v4/classic/')))
      .map(([name]) => name);
    expect(withClassic).toEqual([]);
  }, 180_000);

  it("keeps the letters it does not preview, and intake's schemas, out of the staff case page's function", async () => {
    const casePage = (await bundles).get('web-case');
    expect(casePage?.bytes).toBeGreaterThan(0);
    const carried = [...(casePage?.inputs ?? [])]
      .filter(([, bytes]) => bytes > 0)
      .map(([path]) => path)
      .filter((path) => ['shared/notifications/templates.ts', 'shared/usecases/intake.ts'].includes(path));
    expect(carried).toEqual([]);
  }, 180_000);

  it("keeps the staff session check (aws-jwt-verify) out of the resident pages' function", async () => {
    const resident = (await bundles).get('web-resident');
    expect(resident?.bytes).toBeGreaterThan(0);
    expect([...(resident?.inputs.keys() ?? [])].filter((path) => path.includes('aws-jwt-verify'))).toEqual(
      [],
    );
  }, 180_000);

  it('imports no AWS SDK client but DynamoDB at init: SES, S3 and Step Functions on first use (ADR 0010)', async () => {
    const atInit = new Set(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']);
    const loadedAtInit = [...(await bundles)].flatMap(([name, { importsAtInit }]) =>
      importsAtInit
        .filter((path) => path.startsWith('@aws-sdk/') && !atInit.has(path))
        .map((path) => `${name}: ${path}`),
    );
    expect(loadedAtInit).toEqual([]);
  }, 180_000);

  it('imports the Powertools tracer (and the X-Ray SDK) at init in no function: only when TRACE_SDK_CALLS is set (ADR 0015)', async () => {
    const loadedAtInit = [...(await bundles)].flatMap(([name, { importsAtInit }]) =>
      importsAtInit
        .filter((path) => path.startsWith('@aws-lambda-powertools/tracer') || path.startsWith('aws-xray-sdk'))
        .map((path) => `${name}: ${path}`),
    );
    expect(loadedAtInit).toEqual([]);
  }, 180_000);

  it("carries zod's English messages only, not its other locales", async () => {
    // Importing zod's `z` (or its default export) instead of the namespace (`import * as z from 'zod'`) makes
    // esbuild keep every locale: about 350 KB. Powertools' schemas import it that way, so no function uses them.
    const withLocales = [...(await bundles)]
      .filter(([, { inputs }]) =>
        [...inputs.keys()].some((path) => /zod\/v4\/locales\/(?!en\.js$)/.test(path)),
      )
      .map(([name]) => name);
    expect(withLocales).toEqual([]);
  }, 180_000);
});
