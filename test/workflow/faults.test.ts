import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '#shared/ports/notifications.ts';
import { LETTER_CLAIM_MS } from '#shared/usecases/notify.ts';
import { Harness, staff, types } from './harness.ts';

/**
 * Faults inside workflow tasks, with the real ASL's retriers: SES failing for a while and then recovering, and a
 * task failing half-way (the letter sent, its record refused) and being retried.
 */
let harness: Harness;
let sent: OutgoingEmail[];
beforeEach(async () => {
  harness = await Harness.start();
  sent = [];
});
afterEach(async () => {
  await harness.stop();
});

const MINUTE = 60 * 1000;

/** Wraps the mailer the handlers use: every email it hands to SES is kept; the first `failures` sends throw. */
function watchMailer(failures: number) {
  const mailer = harness.deps.mailer;
  const send = mailer.send.bind(mailer);
  let left = failures;
  mailer.send = async (email) => {
    if (left > 0) {
      left--;
      throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });
    }
    sent.push(email);
    return send(email);
  };
}

describe('faults in workflow tasks', () => {
  it('SES failing twice then recovering: the letter goes once and the case waits for triage', async () => {
    watchMailer(2);
    const { caseId } = await harness.submit();
    // The ASL retries a failed task after 5 s, then 15 s (with jitter): let those pass.
    await harness.advance(5 * MINUTE);
    const received = sent.filter((email) =>
      email.headers?.['X-Correspondence-Key']?.startsWith('complaint-received'),
    );
    expect(received).toHaveLength(1);
    expect(types(await harness.events(caseId)).filter((type) => type === 'correspondence-sent')).toHaveLength(
      1,
    );
    expect((await harness.openTask(caseId)).step).toBe('triage');
    expect(harness.execution(caseId)?.status).toBe('RUNNING');
  });

  it('a task failing after the letter left: the retry sends it again with the same key, recorded once', async () => {
    watchMailer(0);
    const repository = harness.deps.repository;
    const append = repository.appendEvent.bind(repository);
    let refused = false;
    repository.appendEvent = async (caseId, seq, event) => {
      if (event.type === 'correspondence-sent' && !refused) {
        refused = true;
        throw Object.assign(new Error('Internal server error'), {
          name: 'InternalServerError',
          $fault: 'server',
        });
      }
      return append(caseId, seq, event);
    };
    const { caseId } = await harness.submit();
    await harness.advance(5 * MINUTE);
    // Letters to the resident (staff alerts carry no correspondence key).
    const keys = sent.flatMap((email) => email.headers?.['X-Correspondence-Key'] ?? []);
    // At least once: the one window (sent, not yet recorded) repeats the letter, recognisably the same one.
    expect(keys).toEqual(['complaint-received#1', 'complaint-received#1']);
    const recorded = (await harness.events(caseId)).filter((event) => event.type === 'correspondence-sent');
    expect(recorded.map((event) => (event as { key: string }).key)).toEqual(['complaint-received#1']);
    expect((await harness.openTask(caseId)).step).toBe('triage');
  });

  it('a step meeting the claim of a run that stopped is retried (LetterHeldError) until the claim expires, then sends the letter once', async () => {
    watchMailer(0);
    const repository = harness.deps.repository;
    const append = repository.appendEvent.bind(repository);
    let claimed: string | undefined;
    // A deploy's pass (or the daily run) reaches the letter the triage calls for as soon as it is recorded, claims
    // it and stops: its claim holds for as long as a run can (no invocation here, as locally).
    repository.appendEvent = async (caseId, seq, event) => {
      const result = await append(caseId, seq, event);
      if (event.type === 'triaged' && !claimed) {
        claimed = `service-request#${seq}`;
        const now = harness.deps.clock.now();
        await repository.claimLetter(caseId, claimed, {
          at: now.toISOString(),
          until: new Date(now.getTime() + LETTER_CLAIM_MS.run).toISOString(),
          by: 'run',
        });
      }
      return result;
    };
    const { caseId } = await harness.submit();
    await harness.act(caseId, staff.handler, harness.serviceRequest());
    const letters = () => sent.filter((email) => email.headers?.['X-Correspondence-Key'] === claimed);
    // Longer than a ConflictError's retrier lasts (about two minutes), shorter than the claim.
    await harness.advance(LETTER_CLAIM_MS.run - MINUTE);
    expect(letters()).toHaveLength(0);
    expect(harness.execution(caseId)?.status).toBe('RUNNING');
    await harness.advance(2 * MINUTE);
    expect(letters()).toHaveLength(1);
    const recorded = (await harness.events(caseId)).filter(
      (event) => event.type === 'correspondence-sent' && event.key === claimed,
    );
    expect(recorded).toHaveLength(1);
    const execution = harness.execution(caseId);
    expect(execution?.status).not.toBe('FAILED');
    expect(execution?.history.map((entry) => entry.state)).not.toContain('The workflow could not continue');
  });
});
