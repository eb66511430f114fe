import { parseEmail } from '#shared/adapters/mime.ts';
import type { StoredAttachment } from '#shared/ports/attachments.ts';
import { normaliseInstant } from '#shared/time/london.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { receiveEmail } from '#shared/usecases/email-intake.ts';
import { logger } from '../lib/middleware.ts';
import { s3Objects } from '../lib/s3-objects.ts';

/**
 * The keys an event's object key may stand for. S3's direct notifications URL-encode the key (form encoding:
 * "a b+c" arrives as "a+b%2Bc"); the EventBridge event's key is not documented as encoded and its examples
 * show plain keys. So the key as given is tried first, then its form-decoded reading when that differs.
 */
export function keyCandidates(key: string): string[] {
  try {
    const decoded = decodeURIComponent(key.replaceAll('+', ' '));
    return decoded === key ? [key] : [key, decoded];
  } catch {
    return [key]; // not valid percent-encoding, so it can only be the key itself
  }
}

/**
 * The raw message and the key it is stored under. Without s3:ListBucket a missing object answers AccessDenied,
 * not NoSuchKey, so a failed read of one reading is remembered and thrown only if no reading is found.
 */
async function readRaw(deps: AppDependencies, key: string): Promise<{ key: string; raw: StoredAttachment }> {
  const store = deps.inboundEmail;
  if (!store) throw new Error('Email intake needs the inbound email store (inboundEmail)');
  let failure: unknown;
  for (const candidate of keyCandidates(key)) {
    try {
      const raw = await store.get(candidate);
      if (raw) return { key: candidate, raw };
    } catch (error) {
      failure ??= error;
    }
  }
  throw failure ?? new Error(`The inbound email ${key} is not in the inbound store`);
}

/** Each raw email SES stored in the inbound bucket: parsed, then threaded onto a case or made a new one. */
export const handler = s3Objects(async (deps, event) => {
  const { key, raw } = await readRaw(deps, event.detail.object.key);
  // Received when S3 stored it (SES writes on receipt), never the message's own Date header.
  const email = await parseEmail(raw.bytes, normaliseInstant(event.time));
  const { outcome } = await receiveEmail(deps, email, key);
  // Outcome and key only: sender addresses and text stay out of the logs.
  logger.info('Inbound email processed', { key, outcome });
  return { outcome };
});
