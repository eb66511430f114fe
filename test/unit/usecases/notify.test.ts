import { describe, expect, it } from 'vitest';
import { loadCase } from '#shared/usecases/case-log.ts';
import { type IntakeInput, submitComplaint } from '#shared/usecases/intake.ts';
import { sendOwedLetters } from '#shared/usecases/notify.ts';
import { fakeDependencies } from '../../support/fakes/dependencies.ts';

const resident = { kind: 'resident', id: 'web-form' } as const;
const complaint = (complainant: Partial<IntakeInput['complainant']> = {}): IntakeInput => ({
  complainant: {
    name: 'Ada Resident',
    email: 'ada@resident.example',
    preferredContact: 'email',
    ...complainant,
  },
  complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' },
});

describe('sendOwedLetters', () => {
  it('emails each letter the events call for and records it; run again, it sends nothing more', async () => {
    // Prepare
    const { deps, mailer } = fakeDependencies();
    const { caseId, reference } = await submitComplaint(deps, complaint(), 'key-1', resident);

    // Act
    const first = await sendOwedLetters(deps, caseId);
    const again = await sendOwedLetters(deps, caseId);

    // Assess
    expect(first).toBeGreaterThan(0);
    expect(again).toBe(0);
    expect(mailer.to('ada@resident.example')).toHaveLength(first);
    const email = mailer.sent[0];
    expect(email?.headers).toEqual({
      'X-Complaint-Reference': reference,
      'X-Correspondence-Key': expect.stringMatching(/#1$/),
    });
    const recorded = (await loadCase(deps, caseId)).events.filter(
      (event) => event.type === 'correspondence-sent',
    );
    expect(recorded).toEqual([
      expect.objectContaining({
        channel: 'email',
        recipient: 'ada@resident.example',
        messageId: 'message-1',
      }),
    ]);
  });

  it('posts the letter when SES will never accept the address, and records why when there is no address', async () => {
    const { deps, mailer, letters } = fakeDependencies();
    const withAddress = await submitComplaint(
      deps,
      complaint({ address: '1 High Street, Leeds' }),
      'key-1',
      resident,
    );
    mailer.failNext(Object.assign(new Error('Address blacklisted'), { name: 'MessageRejected' }));
    await sendOwedLetters(deps, withAddress.caseId);
    expect(mailer.sent).toEqual([]);
    expect([...letters.letters.keys()]).toEqual([
      expect.stringMatching(new RegExp(`^${withAddress.caseId}/`)),
    ]);

    const noAddress = await submitComplaint(
      deps,
      complaint({ email: 'bob@resident.example' }),
      'key-2',
      resident,
    );
    mailer.failNext(Object.assign(new Error('Address blacklisted'), { name: 'MessageRejected' }));
    await sendOwedLetters(deps, noAddress.caseId);
    const failed = (await loadCase(deps, noAddress.caseId)).events.filter(
      (event) => event.type === 'correspondence-failed',
    );
    expect(failed).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/contact the resident by phone/) }),
    ]);
  });

  it('lets a transient mail failure through, so the workflow retries the task', async () => {
    const { deps, mailer } = fakeDependencies();
    const { caseId } = await submitComplaint(deps, complaint(), 'key-1', resident);
    mailer.failNext(Object.assign(new Error('Throttling'), { name: 'TooManyRequestsException' }));
    await expect(sendOwedLetters(deps, caseId)).rejects.toThrow('Throttling');
    expect(await sendOwedLetters(deps, caseId)).toBe(1);
  });
});
