import type { Clock } from '#shared/ports/clock.ts';

/** Time that moves only when the test moves it. */
export class ManualClock implements Clock {
  private instant: number;

  constructor(start: string | Date) {
    this.instant = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.instant);
  }

  set(at: string | Date): void {
    this.instant = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.instant += ms;
  }
}
