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
  /**
   * Days after which the inbound bucket expires raw email: a safety net behind the retention job, which deletes
   * each case's raw email when its retention ends (see RAW_EMAIL_SAFETY_NET_YEARS).
   * @default 365
   */
  inboundExpirationDays?: number;
}

/**
 * Years beyond the profile's `retention.rawEmail` the inbound bucket keeps raw email: the retention job deletes a
 * case's raw email that many years after the case closes, so the bucket's expiry (counted from receipt) must be
 * longer by as long as a case can stay open, or it would delete evidence still inside retention. Messages that
 * never joined a case (auto-replies, bounces, held email never handled) expire by it.
 */
export const RAW_EMAIL_SAFETY_NET_YEARS = 2;

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
    // Raw inbound email is deleted with its case by the retention job; the expiry catches what is left. It reads
    // only SES's prefix: the copies a legal hold keeps under held/ outlive it (the job deletes them with the case).
    this.inboundEmail = bucket('InboundEmail', names.inboundEmail, 'inbound', [
      { prefix: INBOUND_EMAIL_PREFIX, expiration: Duration.days(props.inboundExpirationDays ?? 365) },
      { noncurrentVersionExpiration: Duration.days(30) },
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
