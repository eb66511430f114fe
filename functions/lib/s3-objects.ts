import { S3EventNotificationEventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/s3';
import type * as z from 'zod';
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
