import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { Capability } from './capability.ts';

/** Where the SES receipt rule stores raw inbound email in the inbound bucket (and what S3 notifies on). */
export const INBOUND_EMAIL_PREFIX = 'inbound/';

export interface DataBucketsProps {
  prefix: string;
  key: kms.IKey;
  /** Bucket names (globally unique, so they carry the account). */
  names: { letters: string; inboundEmail: string; attachments: string };
}

/**
 * The buckets that hold case files: raw inbound email, residents' attachments and rendered letters, each
 * encrypted with the data key, versioned, TLS-only, private, retained and logged to an access-logs bucket.
 *
 * @example
 * const buckets = new DataBuckets(this, 'DataBuckets', { prefix, key, names });
 */
export class DataBuckets extends Capability {
  readonly inboundEmail: s3.Bucket;
  readonly attachments: s3.Bucket;
  readonly letters: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataBucketsProps) {
    super(scope, id);
    const { prefix, key, names } = props;
    const account = Stack.of(this).account;
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      bucketName: `${prefix}-access-logs-${account}`,
      // Server access logs can only be delivered to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bucket = (id: string, bucketName: string, logPrefix: string, lifecycleRules: s3.LifecycleRule[]) =>
      new s3.Bucket(this, id, {
        bucketName,
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: key,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: `${logPrefix}/`,
        lifecycleRules,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    // Raw inbound email is kept a year for evidence, then expires.
    this.inboundEmail = bucket('InboundEmail', names.inboundEmail, 'inbound', [
      { expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) },
    ]);
    // Email intake (in the workflow stack) takes each stored message from EventBridge: set on the bucket
    // itself, because CDK's eventBridgeEnabled would add its own notifications function to this stack.
    (this.inboundEmail.node.defaultChild as s3.CfnBucket).addPropertyOverride(
      'NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled',
      true,
    );
    this.inboundEmail.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.inboundEmail.arnForObjects(`${INBOUND_EMAIL_PREFIX}*`)],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    // Attachments and letters are part of the case record: kept, moved to cheaper storage as they age.
    const archive: s3.LifecycleRule[] = [
      {
        transitions: [
          { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(90) },
        ],
        noncurrentVersionExpiration: Duration.days(90),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ];
    this.attachments = bucket('Attachments', names.attachments, 'attachments', archive);
    this.letters = bucket('Letters', names.letters, 'letters', archive);
  }
}
