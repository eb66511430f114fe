/**
 * Workarounds that let aws-local-stepfunctions run on Node 20 (reference/toolchain.md section 2).
 */

type Resolvers<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void };

/** Node 20's V8 lacks Promise.withResolvers, which every Task state of the interpreter calls. */
export function installPromiseWithResolvers(): void {
  const PromiseWith = Promise as PromiseConstructor & { withResolvers?: <T>() => Resolvers<T> };
  PromiseWith.withResolvers ??= <T>() => {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((yes, no) => {
      resolve = yes;
      reject = no;
    });
    return { promise, resolve, reject };
  };
}

const MAX_DELAY = 2 ** 31 - 1;

/**
 * Node (and fake timers) fire any delay above 2^31-1 ms (about 24.8 days) after 1 ms. Long delays are
 * split into chunks so a 30-day wait really waits 30 days. Install after fake timers so it wraps them.
 */
export function installLongTimerShim(): () => void {
  const originalSetTimeout = globalThis.setTimeout;
  const originalClearTimeout = globalThis.clearTimeout;
  const chains = new Map<object, { current: ReturnType<typeof setTimeout> }>();

  function longSetTimeout(callback: (...args: unknown[]) => void, delay = 0, ...args: unknown[]) {
    if (delay <= MAX_DELAY) return originalSetTimeout(callback, delay, ...args);
    const handle = { current: undefined as unknown as ReturnType<typeof setTimeout> };
    const token = {};
    const due = Date.now() + delay;
    const step = () => {
      const remaining = due - Date.now();
      if (remaining <= MAX_DELAY) {
        handle.current = originalSetTimeout(
          () => {
            chains.delete(token);
            callback(...args);
          },
          Math.max(0, remaining),
        );
      } else {
        handle.current = originalSetTimeout(step, MAX_DELAY);
      }
    };
    step();
    chains.set(token, handle);
    return token as unknown as ReturnType<typeof setTimeout>;
  }

  function longClearTimeout(id: unknown) {
    const chain = chains.get(id as object);
    if (chain) {
      originalClearTimeout(chain.current);
      chains.delete(id as object);
      return;
    }
    originalClearTimeout(id as ReturnType<typeof setTimeout>);
  }

  globalThis.setTimeout = longSetTimeout as typeof setTimeout;
  globalThis.clearTimeout = longClearTimeout as typeof clearTimeout;
  return () => {
    globalThis.setTimeout = originalSetTimeout;
    globalThis.clearTimeout = originalClearTimeout;
  };
}
