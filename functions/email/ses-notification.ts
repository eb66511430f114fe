import * as z from 'zod';

/** The parts of an SES event-publishing notification the SES events handler reads. */
export const SesNotification = z.object({
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
export type SesNotification = z.infer<typeof SesNotification>;

/**
 * The delivery failure a notification reports about one of our resident letters, or undefined: deliveries,
 * transient bounces (SES retries those itself) and mail without our correlation headers change nothing.
 */
export function deliveryFailure({ eventType, mail, bounce, complaint }: SesNotification) {
  if (eventType !== 'Bounce' && eventType !== 'Complaint' && eventType !== 'Reject') return undefined;
  if (eventType === 'Bounce' && bounce?.bounceType !== 'Permanent') return undefined;
  const header = (name: string) =>
    mail.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
  const reference = header('X-Complaint-Reference');
  const key = header('X-Correspondence-Key');
  if (!reference || !key) return undefined;
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
  return { reference, key, reason, failedRecipients };
}
