import * as FakeTimers from '@sinonjs/fake-timers';

type InstalledClock = ReturnType<typeof FakeTimers.install>;

import { installLongTimerShim } from './node20-shims.ts';

/**
 * The local runtime's clock: real time by default (it keeps advancing with the wall clock), and it can be
 * moved forward so every Wait state, task timeout, reminder and deadline falls due, in order.
 */
export interface VirtualClock {
  now(): Date;
  /** Moves time forward, firing every timer due on the way in order and letting the work it starts finish. */
  advance(ms: number): Promise<void>;
  advanceTo(instant: Date): Promise<void>;
  /** How many timers are waiting on the virtual clock (a bench or test can check they stay bounded). */
  pendingTimers(): number;
  uninstall(): void;
}

export interface IdleProbe {
  /** Resolves when no work started by a timer is still running. */
  idle(): Promise<void>;
}

// fake-timers keeps pending timers in a Map (an object in older versions); read either.
type TimerInternals = { timers?: Map<unknown, { callAt: number }> | Record<string, { callAt: number }> };

export function installVirtualClock(options: { start?: Date; idle: IdleProbe['idle'] }): VirtualClock {
  const clock: InstalledClock = FakeTimers.install({
    now: options.start ?? new Date(),
    // Date is faked below, not by fake-timers: see virtualDate.
    toFake: ['setTimeout', 'clearTimeout'],
    shouldAdvanceTime: true,
    advanceTimeDelta: 5,
    shouldClearNativeTimers: true,
  });
  const uninstallDate = installVirtualDate(() => clock.now);
  const uninstallShim = installLongTimerShim();

  function pendingTimers() {
    const store = (clock as unknown as TimerInternals).timers ?? {};
    return store instanceof Map ? [...store.values()] : Object.values(store);
  }

  function nextTimerAt(): number | undefined {
    const timers = pendingTimers();
    return timers.length ? Math.min(...timers.map((timer) => timer.callAt)) : undefined;
  }

  async function advanceTo(instant: Date): Promise<void> {
    const target = instant.getTime();
    // Fire timers one instant at a time, letting the work each starts finish (and any zero-delay timers it
    // schedules run) before moving on; stop once nothing is due up to the target.
    for (;;) {
      await options.idle();
      const next = nextTimerAt();
      if (next !== undefined && next <= Math.max(target, clock.now)) {
        await clock.tickAsync(Math.max(0, next - clock.now));
      } else if (clock.now < target) {
        await clock.tickAsync(target - clock.now);
      } else {
        return;
      }
    }
  }

  return {
    now: () => new Date(clock.now),
    advance: (ms) => advanceTo(new Date(clock.now + ms)),
    advanceTo,
    pendingTimers: () => pendingTimers().length,
    uninstall() {
      uninstallShim();
      uninstallDate();
      clock.uninstall();
    },
  };
}

/**
 * Replaces the global Date with one whose "now" (`new Date()`, `Date()`, `Date.now()`) is the virtual clock's,
 * and whose instances are native Dates. fake-timers' own Date is a Proxy around a subclass that defines a
 * `constructor` property on every instance it makes: in the queue page's profile that constructor was 5.8 % of
 * the runtime's CPU (each task's deadline converts a few instants), 20 to 30 times the cost of a native Date.
 * A constructor function that returns a native Date keeps `instanceof Date`, `Date.prototype` and the statics.
 */
export function installVirtualDate(now: () => number): () => void {
  const NativeDate = globalThis.Date;
  const VirtualDate = function (this: unknown, ...args: unknown[]) {
    // Called without new, Date ignores its arguments and answers the current time as a string.
    if (!new.target) return new NativeDate(now()).toString();
    if (args.length === 0) return new NativeDate(now());
    if (args.length === 1) return new NativeDate(args[0] as string | number | Date);
    return new NativeDate(...(args as [number, number]));
  } as unknown as DateConstructor;
  Object.defineProperties(VirtualDate, {
    ...Object.getOwnPropertyDescriptors(NativeDate),
    // The native prototype, so instances (and Dates made elsewhere) are `instanceof` it and patches reach them.
    prototype: { value: NativeDate.prototype, writable: false, enumerable: false, configurable: false },
    now: { value: now, writable: true, enumerable: false, configurable: true },
  });
  globalThis.Date = VirtualDate;
  return () => {
    globalThis.Date = NativeDate;
  };
}
