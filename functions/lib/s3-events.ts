import type { S3ObjectCreated } from './s3-objects.ts';

/**
 * An S3 "Object Created" event with every field EventBridge delivers (intake's schema checks only those it
 * reads), for the callers that stand in for S3: the local SMTP listener and the tests.
 */
export function s3ObjectCreated(object: {
  bucket: string;
  key: string;
  size: number;
  /** When the object was stored: for inbound email, when the message was received. */
  time: string;
}): S3ObjectCreated {
  return {
    version: '0',
    id: `local-${object.key}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: object.time,
    region: 'eu-west-2',
    resources: [`arn:aws:s3:::${object.bucket}`],
    detail: {
      version: '0',
      bucket: { name: object.bucket },
      object: { key: object.key, size: object.size },
      'request-id': 'local',
      requester: 'ses.amazonaws.com',
      reason: 'PutObject',
    },
  };
}
