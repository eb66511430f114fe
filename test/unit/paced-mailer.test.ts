import { describe, expect, it } from 'vitest';
import { PacedMailer } from '#shared/adapters/paced-mailer.ts';
import type { OutgoingEmail } from '#shared/ports/notifications.ts';
import { RecordingMailer } from '../support/fakes/notifications.ts';

const email = (n: number): OutgoingEmail => ({
  from: 'Complaints <complaints@landlord.example>',
  to: [`resident${n}@resident.example`],
  subject: `Letter ${n}`,
  text: 'text',
  html: '<p>html</p>',
});

/**
 * A clock that moves only by the waits asked for (one send after another), or not at all (sends at once: each
 * wait is then counted from the same instant), so the waits asked for are the whole of the pacing.
 */
function fakeTime({ moves = true } = {}) {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      if (moves) now += ms;
    },
  };
}

const throttled = () =>
  Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });

describe('PacedMailer', () => {
  it('spaces emails sent at once to the rate, each sent once', async () => {
    const time = fakeTime({ moves: false });
    const inner = new RecordingMailer();
    const mailer = new PacedMailer(inner, { perSecond: 10, ...time });
    await Promise.all([0, 1, 2, 3, 4].map((n) => mailer.send(email(n))));
    // Each send waits for its own slot, 100 ms after the one before: the first at once.
    expect(time.waits).toEqual([100, 200, 300, 400]);
    expect(inner.sent.map((sent) => sent.subject)).toEqual([0, 1, 2, 3, 4].map((n) => `Letter ${n}`));
  });

  it('sends a throttled email again after a backoff, once accepted only', async () => {
    const time = fakeTime();
    const inner = new RecordingMailer();
    inner.failNext(throttled(), Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const mailer = new PacedMailer(inner, { perSecond: 10, ...time });
    expect(await mailer.send(email(1))).toEqual({ messageId: 'message-1' });
    expect(inner.sent).toHaveLength(1);
    expect(time.waits).toEqual([1000, 2000]);
  });

  it('fails once the retries are spent, and fails at once on anything but throttling', async () => {
    const time = fakeTime();
    const inner = new RecordingMailer();
    inner.failNext(throttled(), throttled(), throttled());
    const mailer = new PacedMailer(inner, { perSecond: 10, retries: 2, ...time });
    await expect(mailer.send(email(1))).rejects.toThrow('Maximum sending rate exceeded.');
    expect(inner.sent).toHaveLength(0);
    inner.failNext(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }));
    await expect(mailer.send(email(2))).rejects.toThrow('Email address is not verified.');
    // Two backoffs, then the next send's slot (100 ms after the last throttled one): no backoff after it.
    expect(time.waits).toEqual([1000, 2000, 100]);
  });

  it('refuses a rate that is not more than 0', () => {
    expect(() => new PacedMailer(new RecordingMailer(), { perSecond: 0 })).toThrow(
      'Emails a second must be more than 0, not 0',
    );
  });
});
