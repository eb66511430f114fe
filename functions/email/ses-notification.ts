import * as z from 'zod/mini';
import '#shared/zod-messages.ts';
import { lazy } from '#shared/lazy.ts';

const recipients = () => z.array(z.object({ emailAddress: z.string() }));

/** The parts of an SES event-publishing notification the SES events handler reads. */
export const SesNotification = lazy(() =>
  z.object({
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
    mail: z.object({ headers: z._default(z.array(z.object({ name: z.string(), value: z.string() })), []) }),
    bounce: z.optional(
      z.object({
        bounceType: z.string(),
        bounceSubType: z.optional(z.string()),
        bouncedRecipients: z._default(recipients(), []),
      }),
    ),
    complaint: z.optional(
      z.object({
        complaintFeedbackType: z.optional(z.string()),
        complainedRecipients: z._default(recipients(), []),
      }),
    ),
  }),
);
export type SesNotification = z.infer<ReturnType<typeof SesNotification>>;

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
