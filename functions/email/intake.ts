import { z } from 'zod';
import { parseEmail } from '#shared/adapters/mime.ts';
import { normaliseInstant } from '#shared/time/london.ts';
import { receiveEmail } from '#shared/usecases/email-intake.ts';
import { logger, workflowTask } from '../lib/middleware.ts';

/** The parts of an S3 ObjectCreated notification this handler reads (SES wrote the raw message there). */
const S3Event = z.object({
  Records: z
    .array(
      z.object({
        eventTime: z.string(),
        s3: z.object({ object: z.object({ key: z.string().min(1) }) }),
      }),
    )
    .min(1),
});

/** Each raw email SES stored in the inbound bucket: parsed, then threaded onto a case or made a new one. */
export const handler = workflowTask(S3Event, async (deps, event) => {
  const outcomes: string[] = [];
  for (const record of event.Records) {
    // S3 event keys are URL-encoded, with spaces as '+'.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const raw = await deps.inboundEmail?.get(key);
    if (!raw) throw new Error(`The inbound email ${key} is not in the inbound store`);
    const email = await parseEmail(raw.bytes, normaliseInstant(record.eventTime));
    const { outcome } = await receiveEmail(deps, email, key);
    // Outcome and key only: sender addresses and text stay out of the logs.
    logger.info('Inbound email processed', { key, outcome });
    outcomes.push(outcome);
  }
  return { outcomes };
});
