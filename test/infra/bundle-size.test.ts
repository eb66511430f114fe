import { describe, expect, it } from 'vitest';
import { BUNDLE_LIMIT_BYTES, bundleContents } from '../../bench/function-bundles.ts';

/**
 * Functions still over the 300 KB target (issue 12), each held at a ceiling about 3% above its size when this
 * list was last set, so none can grow unnoticed. One is listed (7 December 2026, below); otherwise: the tracer comes from the
 * Powertools layer (ADR 0011), email intake parses MIME with its own adapter (shared/adapters/mime-parts.ts) and
 * checks its S3 event with its own schema, schemas are written in `zod/mini` (36 KB of zod in each function,
 * against 96 KB for the classic API), and the pages are five functions, one per audience and page group
 * (PAGE_FUNCTIONS in functions/routes.ts; 522 KB when one function served them all). A function that goes over
 * is made smaller, or listed here with its ceiling and why; it leaves the list when it is within 300 KB (the
 * test below says so).
 */
const OVER_TARGET: Record<string, number> = {
  // 303 KB: the case page's refuse-escalation form and the case rules for a stage 2 request staff find out of
  // time (issue 14), and the evidence pack's payments, Ombudsman outcome and satisfaction sections, on top of
  // 299 KB. To come off: split the letter bodies so a page carries only those it previews (shared/notifications/
  // templates.ts), as noted when web-case was last over.
  'web-case': 312,
};

describe('Lambda bundle sizes (built as the CDK builds them, AWS SDK external)', () => {
  const bundles = bundleContents();

  it('every function is within 300 KB, or within its ceiling while it is listed as over the target', async () => {
    const sizes = await bundles;
    expect(sizes.size).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const [name, { bytes }] of sizes) {
      const kb = Math.ceil(bytes / 1024);
      const ceiling = OVER_TARGET[name];
      if (ceiling === undefined && bytes > BUNDLE_LIMIT_BYTES) problems.push(`${name}: ${kb} KB > 300 KB`);
      if (ceiling !== undefined && kb > ceiling)
        problems.push(`${name}: ${kb} KB > its ceiling ${ceiling} KB`);
      if (ceiling !== undefined && bytes <= BUNDLE_LIMIT_BYTES)
        problems.push(`${name}: ${kb} KB is within 300 KB now; take it off OVER_TARGET`);
    }
    for (const name of Object.keys(OVER_TARGET)) {
      if (!sizes.has(name)) problems.push(`${name} is listed but no stack builds it`);
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it("carries zod's mini API, not its classic one (60 KB more in each bundle)", async () => {
    const withClassic = [...(await bundles)]
      .filter(([, { inputs }]) => [...inputs.keys()].some((path) => path.includes('zod/v4/classic/')))
      .map(([name]) => name);
    expect(withClassic).toEqual([]);
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
