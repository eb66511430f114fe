import { handleDeliveryFailure } from '#shared/usecases/notify.ts';
import { logger, snsMessages } from '../lib/middleware.ts';
import { deliveryFailure, SesNotification } from './ses-notification.ts';

/** SES bounces and complaints for resident letters are recorded on the case, and the letter is posted. */
export const handler = snsMessages(SesNotification, async (deps, notifications) => {
  for (const notification of notifications) {
    if (!notification) {
      logger.warn('Ignoring an SES notification of an unknown shape');
      continue;
    }
    const failure = deliveryFailure(notification);
    if (!failure) continue;
    const outcome = await handleDeliveryFailure(deps, failure);
    logger.info('Delivery problem recorded', {
      reference: failure.reference,
      eventType: notification.eventType,
      outcome,
    });
  }
  return { processed: notifications.length };
});
