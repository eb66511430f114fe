import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { complaint, DAY, Harness, staff } from './harness.ts';

let harness: Harness;
beforeEach(async () => {
  harness = await Harness.start();
});
afterEach(async () => {
  await harness.stop();
});

/**
 * The local runtime gives each workflow step only the mail and letters its `uses` in WORKFLOW_TASKS grants (as
 * the stack does), so a step that sends a letter it is not granted to send fails here as it would in AWS.
 */
describe('each workflow step sends its letters with what the stack grants it', () => {
  it('a resident by post gets every letter of a two-stage case, stored by the step that owes it', async () => {
    const { caseId } = await harness.submit({
      ...complaint,
      complainant: { name: 'Pat Post', address: '1 Letter Lane, Leeds LS1 1AA', preferredContact: 'post' },
    });
    await harness.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await harness.advance(DAY);
    await harness.act(caseId, staff.handler, harness.acknowledgement(1));
    await harness.advance(3 * DAY);
    await harness.act(caseId, staff.handler, harness.response(1));
    await harness.advance(2 * DAY);
    await harness.act(caseId, staff.handler, { action: 'escalate' });
    await harness.act(caseId, staff.reviewer, harness.acknowledgement(2));
    await harness.advance(5 * DAY);
    await harness.act(caseId, staff.reviewer, harness.response(2));

    expect(harness.execution(caseId)?.status).toBe('SUCCEEDED');
    const letters = (await harness.events(caseId)).flatMap((event) =>
      event.type === 'correspondence-sent' ? [event] : [],
    );
    // The receipt (register-task), each acknowledgement and response, and the final response (close-case).
    expect(letters.map((letter) => letter.template)).toEqual([
      'complaint-received',
      'stage1-acknowledgement',
      'stage1-response',
      'stage2-acknowledgement',
      'final-response',
    ]);
    for (const letter of letters) {
      expect(letter.channel, letter.template).toBe('post');
      expect(existsSync(letter.messageId ?? ''), letter.template).toBe(true);
    }
  });
});
