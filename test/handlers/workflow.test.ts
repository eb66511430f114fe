import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageRejected, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it, vi } from 'vitest';
import { residentHandler } from '#functions/api/submit-complaint.ts';
import { handler as sesEvents } from '#functions/email/ses-events.ts';
import { dependencies } from '#functions/lib/config.ts';
import { handler as checkDeadline } from '#functions/workflow/check-deadline.ts';
import { handler as closeCase } from '#functions/workflow/close-case.ts';
import { handler as recordReceipt } from '#functions/workflow/record-receipt.ts';
import { handler as registerTask } from '#functions/workflow/register-task.ts';
import { handler as sendNotifications } from '#functions/workflow/send-notifications.ts';
import { loadCase } from '#shared/usecases/case-log.ts';
import { apiEvent, lambdaContext, parse, useLocalAws } from './setup.ts';

const aws = useLocalAws();

async function newCase(
  complainant: Record<string, unknown> = {
    name: 'Ada',
    email: 'ada@resident.example',
    preferredContact: 'email',
  },
) {
  const response = parse(
    await residentHandler(
      apiEvent({
        headers: { 'idempotency-key': `key-${Math.random().toString(36).slice(2, 12)}` },
        json: { complainant, complaint: { whatHappened: 'Leak', outcomeWanted: 'Repair' } },
      }),
      lambdaContext,
    ),
  );
  return String(response.body.caseId);
}

describe('workflow task handlers', () => {
  it('record receipt returns where the case is and how long to wait', async () => {
    const caseId = await newCase();
    const position = await recordReceipt({ caseId }, lambdaContext);
    expect(position).toMatchObject({
      caseId,
      step: 'triage',
      role: 'handler',
      dueAt: '2026-03-09T23:59:59.999Z',
      reminderAt: '2026-03-05T09:00:00.000Z',
      nextCheck: 'reminder',
      timeoutSeconds: (Date.parse('2026-03-05T09:00:00Z') - Date.parse('2026-03-02T10:00:00Z')) / 1000,
    });
  });

  it('keeps error names so the state machine can catch them, and refuses malformed input', async () => {
    await expect(recordReceipt({ caseId: 'missing' }, lambdaContext)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(recordReceipt({}, lambdaContext)).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('sends each owed letter once and records it on the case', async () => {
    const caseId = await newCase();
    await sendNotifications({ caseId }, lambdaContext);
    await sendNotifications({ caseId }, lambdaContext);
    const calls = aws().ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    const email = calls[0]?.args[0].input;
    expect(email?.Destination?.ToAddresses).toEqual(['ada@resident.example']);
    expect(email?.Content?.Simple?.Subject?.Data).toMatch(/CMP-2026-000001/);
    expect(JSON.stringify(email)).not.toMatch(/taskToken/);
  });

  it('falls back to a posted letter when SES rejects the address', async () => {
    const letters = mkdtempSync(join(tmpdir(), 'post-'));
    process.env.LETTERS_DIR = letters;
    aws()
      .ses.on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Address blacklisted', $metadata: {} }));
    const caseId = await newCase({
      name: 'Ada',
      email: 'ada@resident.example',
      address: '1 High Street, Leeds',
      preferredContact: 'email',
    });
    const position = await sendNotifications({ caseId }, lambdaContext);
    expect(position).toMatchObject({ step: 'triage' });
    const [file] = readdirSync(join(letters, caseId));
    expect(readFileSync(join(letters, caseId, file ?? ''), 'utf8')).toMatch(/Ada\n1 High Street\nLeeds/);
  });

  it('register task completes the callback at once if the case has moved on', async () => {
    const caseId = await newCase();
    const result = await registerTask(
      { caseId, step: 'stage1-acknowledgement', taskToken: 'tok-1' },
      lambdaContext,
    );
    expect(result).toEqual({ completedAtOnce: true });
    expect(aws().sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.taskToken).toBe('tok-1');
  });

  it('register task stores the task once announced: handlers take new tasks in the daily digest', async () => {
    const caseId = await newCase();
    await registerTask({ caseId, step: 'triage', taskToken: 'tok-1' }, lambdaContext);
    await registerTask({ caseId, step: 'triage', taskToken: 'tok-2' }, lambdaContext);
    const sent = aws()
      .ses.commandCalls(SendEmailCommand)
      .map((call) => call.args[0].input.Destination?.ToAddresses);
    // The step sends the letter the case is owed (the receipt) first, once. The profile default sends handlers
    // a digest, not an email per task (test/workflow/digest.test.ts).
    expect(sent).toEqual([['ada@resident.example']]);
    const tasks = await (await dependencies()).repository.tasksForCase(caseId);
    expect(tasks.filter((task) => task.status === 'open' && !task.announcedAt)).toHaveLength(1);
  });

  it('check deadline records the reminder, then the breach, each once', async () => {
    const caseId = await newCase();
    vi.setSystemTime(new Date('2026-03-05T09:00:01Z'));
    expect(await checkDeadline({ caseId, step: 'triage' }, lambdaContext)).toMatchObject({
      nextCheck: 'breach',
    });
    expect(await checkDeadline({ caseId, step: 'triage' }, lambdaContext)).toMatchObject({
      nextCheck: 'breach',
    });
    vi.setSystemTime(new Date('2026-03-10T00:00:01Z'));
    expect(await checkDeadline({ caseId, step: 'triage' }, lambdaContext)).toMatchObject({
      nextCheck: 'still-overdue',
    });
    const recipients = aws()
      .ses.commandCalls(SendEmailCommand)
      .map((call) => call.args[0].input.Destination?.ToAddresses?.[0]);
    // The step sends the letters owed before it returns: the receipt after the first check's reminder, the
    // apology for the missed date after the breach.
    expect(recipients).toEqual([
      'handlers@landlord.example',
      'ada@resident.example',
      'handlers@landlord.example',
      'managers@landlord.example',
      'ada@resident.example',
    ]);
  });

  it('close case does nothing until the case is ready to close', async () => {
    const caseId = await newCase();
    expect(await closeCase({ caseId }, lambdaContext)).toMatchObject({
      step: 'triage',
      status: 'awaiting-triage',
    });
  });
});

describe('SES bounce and complaint events', () => {
  const sesEvent = (message: Record<string, unknown>) => ({
    Records: [{ Sns: { Message: JSON.stringify(message) } }],
  });
  const bounce = (reference: string, recipient: string) =>
    sesEvent({
      eventType: 'Bounce',
      mail: {
        headers: [
          { name: 'X-Complaint-Reference', value: reference },
          { name: 'X-Correspondence-Key', value: 'complaint-received#1' },
        ],
      },
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: recipient }],
      },
    });

  /** A resident with an email and a postal address, whose receipt email has gone out; letters go to a fresh folder. */
  async function emailedCaseWithAddress() {
    const letters = mkdtempSync(join(tmpdir(), 'post-'));
    process.env.LETTERS_DIR = letters;
    const caseId = await newCase({
      name: 'Ada',
      email: 'ada@resident.example',
      address: '1 High Street, Leeds',
      preferredContact: 'email',
    });
    await sendNotifications({ caseId }, lambdaContext);
    return { letters, caseId };
  }

  it("records a permanent bounce and posts the resident's letter once", async () => {
    const { letters, caseId } = await emailedCaseWithAddress();
    await sesEvents(bounce('CMP-2026-000001', 'ada@resident.example'), lambdaContext);
    await sesEvents(bounce('CMP-2026-000001', 'ada@resident.example'), lambdaContext);
    expect(readdirSync(join(letters, caseId))).toHaveLength(1);
    const { state } = await loadCase(await dependencies(), caseId);
    expect(state.correspondence.map((entry) => [entry.key, entry.channel])).toEqual([
      ['complaint-received#1', 'email'],
      ['complaint-received#1#failed', 'failed'],
      ['complaint-received#1#post', 'post'],
    ]);
  });

  it("does not post when only a representative's copy bounced", async () => {
    const { letters, caseId } = await emailedCaseWithAddress();
    await sesEvents(bounce('CMP-2026-000001', 'rep@advocate.example'), lambdaContext);
    expect(() => readdirSync(join(letters, caseId))).toThrow();
  });
});
