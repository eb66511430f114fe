import { describe, expect, it } from 'vitest';
import { BUNDLE_LIMIT_BYTES, bundleContents } from '../../bench/function-bundles.ts';

/**
 * Functions still over the 300 KB target (issue 12), each held at a ceiling about 3% above its size when this
 * list was last set (7 December 2026; the pages function's raised to 574 KB, 3% above 557 KB, for the records
 * pages: retention, erasure and rectification, subject access), so none can grow unnoticed. Every other function
 * is within 300 KB since
 * the tracer comes from the Powertools layer (ADR 0011) and email intake parses MIME with its own adapter
 * (shared/adapters/mime-parts.ts) and checks its S3 event with its own schema. The pages function renders every
 * resident and staff page (522 KB: the pages 155 KB, zod's classic API 96 KB, the domain 53 KB, busboy 27 KB):
 * it needs splitting by audience and page group, and zod's `zod/mini` API, to get within 300 KB. A function
 * leaves this list when it is within 300 KB (the test below says so).
 */
const OVER_TARGET: Record<string, number> = {
  'web-pages': 574,
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
