import * as z from 'zod/mini';
import type { StoredAttachment } from '#shared/ports/attachments.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import '#shared/zod-messages.ts';
import { eventStack } from './middleware.ts';

/**
 * S3 "Object Created" events (inbound email stored by SES), as EventBridge delivers them. The inbound bucket is
 * in the data stack, and a direct S3 notification to a function in another stack needs CDK's own notifications
 * function (ADR 0009). The schema checks that the event is the one the rule in infra/constructs/mail.ts matches
 * and the fields intake reads, nothing more: not Powertools' S3 EventBridge schema, which imports zod whole
 * (about 350 KB of locales minified) and would put this function over 300 KB (issue 12). Other fields pass
 * through unchecked.
 */
const S3ObjectCreatedSchema = () =>
  z.looseObject({
    source: z.literal('aws.s3'),
    'detail-type': z.literal('Object Created'),
    /** When S3 stored the object: for inbound email, its receipt time. */
    time: z.iso.datetime(),
    detail: z.looseObject({ object: z.looseObject({ key: z.string().check(z.minLength(1)) }) }),
  });

export type S3ObjectCreated = z.infer<ReturnType<typeof S3ObjectCreatedSchema>>;

export const s3Objects = <Result>(run: (deps: AppDependencies, event: S3ObjectCreated) => Promise<Result>) =>
  eventStack(S3ObjectCreatedSchema, run);

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
export async function readInboundEmail(
  deps: AppDependencies,
  key: string,
): Promise<{ key: string; raw: StoredAttachment }> {
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
