import { afterAll, describe, expect, it } from 'vitest';
import { COST_PATHS, countPath, type PathCount } from './cost-paths.ts';

/**
 * What each common path costs on the real ASL: state transitions (billed by Step Functions) and DynamoDB
 * requests (intake, staff actions and the workflow; not the test's own reads, nor the daily run's, a fixed cost
 * whatever the number of cases). The transition counts are exact, so a change that adds a state to a path shows
 * here, and each path stays within issue 12's 2.5 transitions per business event; the DynamoDB counts are
 * ceilings, the counts measured on 7 December 2026 (115, 80, 34, 34 and 137, after an intake stopped reading the
 * log twice and a save stopped rewriting reporting facts an event left unchanged; 128, 91, 41, 41 and 156 before)
 * and a few more (a write that loses a race, or a wait that times out on a slow machine, adds a few), so a change
 * that adds requests to a path shows.
 */
const EXPECTED: Record<string, { transitions: number; dynamoCalls: number }> = {
  // The queue's copy of the assignee on each task cost 6 calls on the full path (115 before it): a re-read of the
  // case when a task is stored, a gsi2 query and a task read when the assignee changes. The query missed a task
  // the index had not caught up with, so each wait now marks its task under the case's key (one small write) and
  // the write that changes the assignee reads that mark (a GetItem for the query): 3 more (ADR 0014).
  // Each resident letter is claimed before it is sent (one conditional write a letter, so that two runs finding
  // it owed send it once; ADR 0016): measured 129, 89 and 151 on 8 December 2026 (the full path's 5 letters).
  'full two-stage': { transitions: 12, dynamoCalls: 131 },
  'closed at stage 1': { transitions: 9, dynamoCalls: 91 },
  'not accepted': { transitions: 4, dynamoCalls: 37 },
  'service request': { transitions: 4, dynamoCalls: 37 },
  'one 30-day outstanding action': { transitions: 18, dynamoCalls: 153 },
};

const TRANSITIONS_PER_EVENT = 2.5;

const counted: Array<[string, PathCount]> = [];
afterAll(() => {
  const rows = counted.map(([name, count]) => {
    const calls = Object.values(count.dynamoCalls).reduce((a, b) => a + b, 0);
    return `${name.padEnd(30)} ${String(count.businessEvents).padStart(6)} ${String(count.transitions).padStart(11)} ${(count.transitions / count.businessEvents).toFixed(2).padStart(9)} ${String(calls).padStart(8)} ${(calls / count.businessEvents).toFixed(1).padStart(9)}`;
  });
  console.log([`${'path'.padEnd(30)} events transitions per event dynamodb per event`, ...rows].join('\n'));
});

describe('what each path costs', () => {
  for (const path of COST_PATHS) {
    it(path.name, async () => {
      const count = await countPath(path);
      counted.push([path.name, count]);
      const calls = Object.values(count.dynamoCalls).reduce((a, b) => a + b, 0);
      expect(count.transitions).toBe(EXPECTED[path.name]?.transitions);
      expect(count.transitions / count.businessEvents).toBeLessThanOrEqual(TRANSITIONS_PER_EVENT);
      expect(calls, JSON.stringify(count.dynamoCalls)).toBeLessThanOrEqual(
        EXPECTED[path.name]?.dynamoCalls ?? 0,
      );
    }, 120_000);
  }
});
