import { S3EventNotificationEventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/s3';
import type * as z from 'zod';
import type { StoredAttachment } from '#shared/ports/attachments.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { eventStack } from './middleware.ts';

/*
 * Apart from functions/lib/middleware.ts because Powertools' schemas import zod whole (about 440 KB
 * minified): only the function that takes S3 events should carry it (issue 12).
 */

export type S3ObjectCreated = z.infer<typeof S3EventNotificationEventBridgeSchema>;

/**
 * S3 "Object Created" events (inbound email stored by SES), as EventBridge delivers them: validated by
 * Powertools' S3 EventBridge schema. The inbound bucket is in the data stack, and a direct S3 notification
 * to a function in another stack needs CDK's own notifications function (ADR 0009).
 */
export const s3Objects = <Result>(run: (deps: AppDependencies, event: S3ObjectCreated) => Promise<Result>) =>
  eventStack(S3EventNotificationEventBridgeSchema, run);

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
