import { describe, expect, it } from 'vitest';
import { BUNDLE_LIMIT_BYTES, bundleContents } from '../../bench/function-bundles.ts';

/**
 * Functions still over the 300 KB target (issue 12), each held at a ceiling about 3% above its size when this
 * list was last set (7 December 2026), so none can grow unnoticed. The cause is what every function imports
 * (README, Performance): zod's classic API (about 92 KB: its methods cannot be tree-shaken) and the X-Ray SDK
 * the Powertools tracer loads (about 110 KB); the pages function also renders every page (628 KB;
 * 973 KB while the annual report's use case imported zod whole, which the second test now catches), and email
 * intake carries mailparser's charset tables and HTML conversion (about 1 MB) and the whole of zod Powertools'
 * S3 schema imports (about 350 KB). A function leaves
 * this list when it is within 300 KB (the test below says so).
 */
const OVER_TARGET: Record<string, number> = {
  'submit-complaint-resident': 360,
  'submit-complaint-staff': 360,
  'resident-view': 485,
  'resident-action': 485,
  'staff-queries-queue': 395,
  'staff-queries-search': 395,
  'staff-queries-case': 395,
  'staff-queries-reports': 395,
  'staff-actions-taskaction': 375,
  'staff-actions-caseaction': 375,
  'web-pages': 650,
  'record-receipt': 380,
  'send-notifications': 380,
  'register-task': 385,
  'check-deadline': 385,
  'close-case': 380,
  'send-digest': 365,
  'ses-events': 375,
  'email-intake': 1890,
};

/**
 * Importing zod's `z` (or its default export) instead of the namespace (`import * as z from 'zod'`) makes
 * esbuild keep every locale: about 350 KB. Email intake is the exception: Powertools' S3 event schema, which it
 * parses with, imports zod that way.
 */
const ZOD_WHOLE_ALLOWED = new Set(['email-intake']);

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
    const withLocales = [...(await bundles)]
      .filter(([name]) => !ZOD_WHOLE_ALLOWED.has(name))
      .filter(([, { inputs }]) => inputs.some((path) => /zod\/v4\/locales\/(?!en\.js$)/.test(path)))
      .map(([name]) => name);
    expect(withLocales).toEqual([]);
  }, 180_000);
});
