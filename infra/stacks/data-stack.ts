import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { GLOBAL_SECONDARY_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '#shared/adapters/table-design.ts';
import type { ProviderContext } from '../provider-context.ts';

/**
 * Everything that holds data, in its own stack, retained when stacks are deleted: the case table, the
 * buckets for inbound email, attachments and rendered letters, the application secret, and their key.
 */
export class DataStack extends Stack {
  readonly key: kms.Key;
  readonly table: dynamodb.Table;
  readonly inboundEmail: s3.Bucket;
  readonly attachments: s3.Bucket;
  readonly letters: s3.Bucket;
  readonly appSecret: secrets.Secret;

  /**
   * The data resources as seen from another stack. Grants made on these references change only the
   * grantee's policies, never this stack's key or bucket policies, so there is no cross-stack cycle.
   */
  referencesIn(scope: Construct) {
    const key = kms.Key.fromKeyArn(scope, 'DataKeyRef', this.key.keyArn);
    // Names, not exported ARNs: names are fixed by the provider id, so the data stack's resources can be
    // replaced or updated without the workflow stack holding exports open.
    return {
      key,
      table: dynamodb.Table.fromTableAttributes(scope, 'CasesRef', {
        tableName: this.names.table,
        encryptionKey: key,
        globalIndexes: GLOBAL_SECONDARY_INDEXES.map((index) => index.indexName),
      }),
      letters: s3.Bucket.fromBucketAttributes(scope, 'LettersRef', {
        bucketName: this.names.letters,
        encryptionKey: key,
      }),
      attachments: s3.Bucket.fromBucketAttributes(scope, 'AttachmentsRef', {
        bucketName: this.names.attachments,
        encryptionKey: key,
      }),
      inboundEmail: s3.Bucket.fromBucketAttributes(scope, 'InboundRef', {
        bucketName: this.names.inboundEmail,
        encryptionKey: key,
      }),
      appSecret: secrets.Secret.fromSecretAttributes(scope, 'AppSecretRef', {
        secretCompleteArn: this.appSecret.secretArn,
        encryptionKey: key,
      }),
    };
  }

  /** Resource names derived from the provider id (and the account, for globally unique bucket names). */
  readonly names: { table: string; letters: string; inboundEmail: string; attachments: string };

  constructor(scope: Construct, id: string, provider: ProviderContext, props?: StackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    const { prefix } = provider;
    this.names = {
      table: `${prefix}-cases`,
      letters: `${prefix}-letters-${this.account}`,
      inboundEmail: `${prefix}-inbound-${this.account}`,
      attachments: `${prefix}-attachments-${this.account}`,
    };

    this.key = new kms.Key(this, 'DataKey', {
      alias: `alias/${prefix}-data`,
      description: `Encrypts complaint data for ${provider.profile.name}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs and SES (which writes inbound mail to S3) must be able to use the key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${this.region}:${this.account}:*` },
        },
      }),
    );
    // Services that write to encrypted topics, queues and buckets for us: SES (inbound mail, event
    // publishing), CloudWatch (alarms to the encrypted topic) and SNS (to the encrypted dead-letter queue).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: ['ses.amazonaws.com', 'cloudwatch.amazonaws.com', 'sns.amazonaws.com'].map(
          (service) => new iam.ServicePrincipal(service),
        ),
        actions: ['kms:GenerateDataKey*', 'kms:Encrypt', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    const attributes = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });
    // The classic table type: TableV2 cannot take a customer-managed key in a region-agnostic stack.
    this.table = new dynamodb.Table(this, 'Cases', {
      tableName: this.names.table,
      partitionKey: attributes(TABLE_KEYS.partitionKey),
      sortKey: attributes(TABLE_KEYS.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of GLOBAL_SECONDARY_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attributes(index.partitionKey),
        sortKey: attributes(index.sortKey),
      });
    }

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      bucketName: `${prefix}-access-logs-${this.account}`,
      // Server access logs can only be delivered to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bucket = (id: string, name: string, lifecycleRules: s3.LifecycleRule[]) =>
      new s3.Bucket(this, id, {
        bucketName: `${prefix}-${name}-${this.account}`,
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.key,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: `${name}/`,
        lifecycleRules,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    // Raw inbound email is parsed into the case within minutes; keep it a year for evidence, then expire.
    this.inboundEmail = bucket('InboundEmail', 'inbound', [
      { expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) },
    ]);
    this.inboundEmail.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.inboundEmail.arnForObjects('inbound/*')],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
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
    this.attachments = bucket('Attachments', 'attachments', archive);
    this.letters = bucket('Letters', 'letters', archive);

    this.appSecret = new secrets.Secret(this, 'AppSecret', {
      secretName: `${prefix}/app`,
      description: 'HMAC keys: resident case links and contact-detail hashes',
      encryptionKey: this.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'masterKey',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.appSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'An HMAC master key, not a credential: rotating it invalidates every resident link already sent, so it is rotated by the documented procedure (docs/operations.md), not on a schedule',
    });
  }
}
