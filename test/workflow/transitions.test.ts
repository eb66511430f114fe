import { describe, expect, it } from 'vitest';
import { COST_PATHS, countPath } from './cost-paths.ts';

/**
 * What each common path costs on the real ASL: state transitions (billed by Step Functions) and DynamoDB
 * requests (intake, staff actions and the workflow; not the test's own reads). The transition counts are exact,
 * so a change that adds a state to a path shows here; the DynamoDB counts are ceilings (a write that loses a
 * race, or a wait that times out on a slow machine, adds a few).
 */
const EXPECTED: Record<string, { transitions: number; dynamoCalls: number }> = {
  'full two-stage': { transitions: 17, dynamoCalls: 160 },
  'closed at stage 1': { transitions: 14, dynamoCalls: 180 },
  'not accepted': { transitions: 7, dynamoCalls: 55 },
  'service request': { transitions: 7, dynamoCalls: 55 },
  'one 30-day outstanding action': { transitions: 25, dynamoCalls: 290 },
};

describe('what each path costs', () => {
  for (const path of COST_PATHS) {
    it(path.name, async () => {
      const count = await countPath(path);
      const calls = Object.values(count.dynamoCalls).reduce((a, b) => a + b, 0);
      expect(count.transitions).toBe(EXPECTED[path.name]?.transitions);
      expect(calls, JSON.stringify(count.dynamoCalls)).toBeLessThanOrEqual(
        EXPECTED[path.name]?.dynamoCalls ?? 0,
      );
    }, 120_000);
  }
});
