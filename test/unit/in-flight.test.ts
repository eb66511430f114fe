import { describe, expect, it } from 'vitest';
import { inFlight } from '#shared/usecases/in-flight.ts';

/** Work that waits until released, recording how many items were in flight at once. */
function gatedWork() {
  const started: number[] = [];
  const releases: Array<() => void> = [];
  let running = 0;
  let most = 0;
  const work = async (item: number) => {
    started.push(item);
    running++;
    most = Math.max(most, running);
    await new Promise<void>((resolve) => releases.push(resolve));
    running--;
  };
  const releaseAll = async () => {
    while (releases.length > 0 || running > 0) {
      for (const release of releases.splice(0)) release();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { started, work, releaseAll, most: () => most };
}

describe('inFlight', () => {
  it('works on at most the limit at once, every item once, in order', async () => {
    const items = Array.from({ length: 30 }, (_, n) => n);
    const gate = gatedWork();
    const run = inFlight(items, 4, gate.work);
    await new Promise((resolve) => setImmediate(resolve));
    expect(gate.started).toEqual([0, 1, 2, 3]);
    await gate.releaseAll();
    expect(await run).toEqual({ finished: true });
    expect(gate.started).toEqual(items);
    expect(gate.most()).toBe(4);
  });

  it('takes no new item once stop says so, finishes those in flight, and says it did not finish', async () => {
    const done: number[] = [];
    let asked = 0;
    const result = await inFlight(
      Array.from({ length: 10 }, (_, n) => n),
      3,
      async (item) => {
        await new Promise((resolve) => setImmediate(resolve));
        done.push(item);
      },
      () => ++asked > 5,
    );
    expect(result).toEqual({ finished: false });
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
  });

  it('throws the first failure once the items in flight are done, and starts no more', async () => {
    const done: number[] = [];
    const run = inFlight(
      Array.from({ length: 10 }, (_, n) => n),
      3,
      async (item) => {
        if (item === 1) throw new Error('case 1 refused');
        await new Promise((resolve) => setImmediate(resolve));
        done.push(item);
      },
    );
    await expect(run).rejects.toThrow('case 1 refused');
    expect(done.sort((a, b) => a - b)).toEqual([0, 2]);
  });

  it('refuses a limit that is not a whole number of at least 1', async () => {
    await expect(inFlight([1], 0, async () => undefined)).rejects.toThrow(
      'At most how many items in flight must be a whole number of at least 1, not 0',
    );
  });
});
