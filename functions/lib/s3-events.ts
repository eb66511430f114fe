import type { S3Records } from './middleware.ts';

/**
 * An S3 ObjectCreated notification with every field S3 sends (Powertools' S3 schema checks them all), for
 * the callers that stand in for S3: the local SMTP listener and the tests.
 */
export function s3ObjectCreated(object: {
  bucket: string;
  key: string;
  size: number;
  /** When the object was stored: for inbound email, when the message was received. */
  eventTime: string;
}): { Records: S3Records } {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'eu-west-2',
        eventTime: object.eventTime,
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:ses.amazonaws.com' },
        requestParameters: { sourceIPAddress: 's3.amazonaws.com' },
        responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'inbound-email',
          // S3 sends keys URL-encoded, spaces as '+'.
          object: {
            key: encodeURIComponent(object.key).replace(/%20/g, '+').replace(/%2F/g, '/'),
            size: object.size,
          },
          bucket: {
            name: object.bucket,
            ownerIdentity: { principalId: 'local' },
            arn: `arn:aws:s3:::${object.bucket}`,
          },
        },
      },
    ],
  };
}
