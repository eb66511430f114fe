import { expect, it } from 'vitest';
import { pricePath, TARGET_PER_CASE } from '../../bench/cost-model.ts';
import { COST_PATHS } from './cost-paths.ts';

/**
 * Issue 12's cost target, guarded: the full two-stage path priced exactly as `npm run bench:cost` prices it
 * (the same counts, rules and list prices, from bench/cost-model.ts). The counts are deterministic (the virtual
 * clock, the real ASL), so a change that adds requests, transitions, invocations or emails to the path and takes
 * it over $0.0012 a case fails here rather than in a figure nobody re-ran.
 */
it('a full two-stage case costs at most $0.0012 in AWS', async () => {
  const full = COST_PATHS.find((path) => path.name === 'full two-stage');
  if (!full) throw new Error('test/workflow/cost-paths.ts has no full two-stage path');
  const cost = await pricePath(full);
  console.log(`full two-stage: $${cost.total.toFixed(6)} a case (${JSON.stringify(cost.dollars)})`);
  expect(cost.total, JSON.stringify(cost)).toBeLessThanOrEqual(TARGET_PER_CASE);
}, 120_000);
