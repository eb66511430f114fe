import { describe, expect, it } from 'vitest';
import { BUNDLE_LIMIT_BYTES, bundleSizes } from '../../bench/function-bundles.ts';

/**
 * Functions still over the 300 KB target (issue 12), each held at a ceiling just above its size when this
 * list was made (7 December 2026), so none can grow unnoticed. The cause is what every function imports
 * (README, Performance): zod's classic API (about 92 KB: its methods cannot be tree-shaken) and the X-Ray SDK
 * the Powertools tracer loads (about 110 KB); the pages function also renders every page. A function leaves
 * this list when it is within 300 KB (the test below says so).
 */
const OVER_TARGET: Record<string, number> = {
  'submit-complaint-resident': 360,
  'submit-complaint-staff': 360,
  'resident-view': 475,
  'resident-action': 475,
  'staff-queries-queue': 375,
  'staff-queries-search': 375,
  'staff-queries-case': 375,
  'staff-actions-taskaction': 370,
  'staff-actions-caseaction': 370,
  'web-pages': 575,
  'record-receipt': 360,
  'send-notifications': 375,
  'register-task': 365,
  'check-deadline': 365,
  'close-case': 360,
  'send-digest': 335,
  'ses-events': 370,
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
