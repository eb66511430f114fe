/**
 * Runs `work` on every item, at most `limit` at a time, in the items' order, and stops taking new items once
 * `stop()` says so (a pass running out of its invocation's time) or once one item has failed: the items already
 * in flight are finished either way, and the first failure is thrown once they are. `finished` is false when
 * items were left for another run. Each item's work must be safe to run beside the others (the profile change's
 * cases each write only their own case, conditionally).
 *
 * @example const { finished } = await inFlight(caseIds, 12, (caseId) => recordOne(caseId), () => late());
 */
export async function inFlight<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<{ finished: boolean }> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(
      `At most how many items in flight must be a whole number of at least 1, not ${limit}`,
    );
  }
  let next = 0;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure && !stopped) {
      if (stop()) {
        stopped = true;
        return;
      }
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return { finished: next >= items.length };
}
