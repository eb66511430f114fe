import { parseEmail } from '#shared/adapters/mime.ts';
import { normaliseInstant } from '#shared/time/london.ts';
import { receiveEmail } from '#shared/usecases/email-intake.ts';
import { logger } from '../lib/middleware.ts';
import { readInboundEmail, s3Objects } from '../lib/s3-objects.ts';

/** Each raw email SES stored in the inbound bucket: parsed, then threaded onto a case or made a new one. */
export const handler = s3Objects(async (deps, event) => {
  const { key, raw } = await readInboundEmail(deps, event.detail.object.key);
  // Received when S3 stored it (SES writes on receipt), never the message's own Date header.
  const email = await parseEmail(raw.bytes, normaliseInstant(event.time));
  const { outcome } = await receiveEmail(deps, email, key);
  // Outcome and key only: sender addresses and text stay out of the logs.
  logger.info('Inbound email processed', { key, outcome });
  return { outcome };
});
