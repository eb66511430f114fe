import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from './dynamodb-case-store.ts';
import { clientOf } from './sdk-client.ts';

/** Wraps each SDK client as it is built: in Lambda, the handlers' tracer (`tracer.captureAWSv3Client`). */
export type Instrument = <Client>(client: Client) => Client;

/** Builders of the SDK clients the adapters are given in Lambda; none is built until it is called. */
export interface AwsClients {
  documents(): DynamoDBDocumentClient;
  ses(): Promise<SESv2Client>;
  /** One S3 client, shared by every store that uses S3. */
  s3(): Promise<S3Client>;
  sfn(): Promise<SFNClient>;
}

/**
 * The SDK clients for Lambda, each instrumented, so handlers wire adapters without importing the SDK.
 * DynamoDB, which every function calls, is imported with this module; SES, S3 and Step Functions only when a
 * function first calls them (ADR 0010).
 */
export function awsClients(instrument: Instrument): AwsClients {
  return {
    documents: () => createDocumentClient(instrument(new DynamoDBClient({}))),
    ses: clientOf(async () => instrument(new (await import('@aws-sdk/client-sesv2')).SESv2Client({}))),
    s3: clientOf(async () => instrument(new (await import('@aws-sdk/client-s3')).S3Client({}))),
    sfn: async () => instrument(new (await import('@aws-sdk/client-sfn')).SFNClient({})),
  };
}
