import type { Mailer, OutgoingEmail } from '../ports/notifications.ts';

/**
 * The letters a second a profile change's pass sends (send-digest). SES refuses sends above the account's
 * maximum sending rate (14 a second for a new production account, 1 in the sandbox) with `Throttling`; the other
 * functions send meanwhile, so a pass keeps below it. An account with a higher rate can raise this.
 */
export const PACED_LETTERS_PER_SECOND = 10;

/** SES's answers for a send above the account's rate (SESv2 `TooManyRequestsException`, SES v1 `Throttling`). */
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);

export interface Pacing {
  perSecond: number;
  /**
   * Sends taken again after a throttled one (the SDK's own 3 attempts are inside each), waiting 1 s, 2 s, 4 s…
   * between them: about a minute in all before the send fails and, with it, the pass.
   */
  retries?: number;
  /** Milliseconds on a monotonic clock, and a wait: real ones except in tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A Mailer that sends at most `perSecond` emails a second, however many callers send at once (each send takes the
 * next free slot), and takes a throttled send again after a backoff. A throttled send was not accepted, so it is
 * not sent twice; a send that still fails throws, and its letter stays owed (recorded only once sent).
 *
 * @example const mailer = new PacedMailer(deps.mailer, { perSecond: PACED_LETTERS_PER_SECOND });
 */
export class PacedMailer implements Mailer {
  private nextSlot = Number.NEGATIVE_INFINITY;
  private readonly interval: number;
  private readonly retries: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly inner: Mailer,
    { perSecond, retries = 6, now = () => performance.now(), sleep = wait }: Pacing,
  ) {
    if (!(perSecond > 0)) {
      throw new RangeError(`Emails a second must be more than 0, not ${perSecond}`);
    }
    this.interval = 1000 / perSecond;
    this.retries = retries;
    this.now = now;
    this.sleep = sleep;
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    for (let attempt = 0; ; attempt++) {
      await this.slot();
      try {
        return await this.inner.send(email);
      } catch (error) {
        if (!isThrottled(error) || attempt >= this.retries) throw error;
        await this.sleep(1000 * 2 ** attempt);
      }
    }
  }

  /** Reserves the next free slot before waiting, so callers sending at once are spaced, not bunched. */
  private async slot(): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + this.interval;
    if (at > now) await this.sleep(at - now);
  }
}

function isThrottled(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return THROTTLED.has(name ?? '') || $metadata?.httpStatusCode === 429;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
