import type { SNSEvent } from 'aws-lambda';
import { z } from 'zod';
import { handleDeliveryFailure } from '#shared/usecases/notify.ts';
import { logger, workflowTask } from '../lib/middleware.ts';

/** The parts of an SES event-publishing notification this handler reads. */
const SesNotification = z.object({
  eventType: z.enum([
    'Bounce',
    'Complaint',
    'Delivery',
    'Send',
    'Reject',
    'DeliveryDelay',
    'Open',
    'Click',
    'Rendering Failure',
    'Subscription',
  ]),
  mail: z.object({ headers: z.array(z.object({ name: z.string(), value: z.string() })).default([]) }),
  bounce: z
    .object({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: z.array(z.object({ emailAddress: z.string() })).default([]),
    })
    .optional(),
  complaint: z
    .object({
      complaintFeedbackType: z.string().optional(),
      complainedRecipients: z.array(z.object({ emailAddress: z.string() })).default([]),
    })
    .optional(),
});

const Records = z.object({
  Records: z.array(z.object({ Sns: z.object({ Message: z.string() }) })),
}) as unknown as z.ZodType<SNSEvent>;

/** SES bounces and complaints for resident letters are recorded on the case, and the letter is posted. */
export const handler = workflowTask(Records, async (deps, event) => {
  for (const record of event.Records) {
    const notification = SesNotification.safeParse(JSON.parse(record.Sns.Message));
    if (!notification.success) {
      logger.warn('Ignoring an SES notification of an unknown shape');
      continue;
    }
    const { eventType, mail, bounce, complaint } = notification.data;
    if (eventType !== 'Bounce' && eventType !== 'Complaint' && eventType !== 'Reject') continue;
    // Transient bounces are retried by SES itself; only a permanent failure changes how we write.
    if (eventType === 'Bounce' && bounce?.bounceType !== 'Permanent') continue;
    const header = (name: string) =>
      mail.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
    const reference = header('X-Complaint-Reference');
    const key = header('X-Correspondence-Key');
    if (!reference || !key) continue;
    const reason =
      eventType === 'Bounce'
        ? `Email bounced (${bounce?.bounceType}/${bounce?.bounceSubType ?? 'unknown'})`
        : eventType === 'Complaint'
          ? `The recipient marked the email as spam (${complaint?.complaintFeedbackType ?? 'no type'})`
          : 'SES rejected the email';
    const failedRecipients = [
      ...(bounce?.bouncedRecipients ?? []),
      ...(complaint?.complainedRecipients ?? []),
    ].map((recipient) => recipient.emailAddress);
    const outcome = await handleDeliveryFailure(deps, { reference, key, reason, failedRecipients });
    logger.info('Delivery problem recorded', { reference, eventType, outcome });
  }
  return { processed: event.Records.length };
});
