import { describe, expect, it } from 'vitest';
import { BUNDLE_LIMIT_BYTES, bundleSizes } from '../../bench/function-bundles.ts';

/**
 * Functions still over the 300 KB target (issue 12), each held at a ceiling about 3% above its size when this
 * list was last set (7 December 2026), so none can grow unnoticed. The cause is what every function imports
 * (README, Performance): zod's classic API (about 92 KB: its methods cannot be tree-shaken) and the X-Ray SDK
 * the Powertools tracer loads (about 110 KB); the pages function also renders every page
 * (973 KB since the annual report pages were added). A function leaves
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
  'web-pages': 1000,
  'record-receipt': 380,
  'send-notifications': 380,
  'register-task': 385,
  'check-deadline': 385,
  'close-case': 380,
  'send-digest': 365,
  'ses-events': 375,
};

describe('Lambda bundle sizes (built as the CDK builds them, AWS SDK external)', () => {
  it('every function is within 300 KB, or within its ceiling while it is listed as over the target', async () => {
    const sizes = await bundleSizes();
    expect(sizes.size).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const [name, bytes] of sizes) {
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
});
