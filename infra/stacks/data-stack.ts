import type { StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { GLOBAL_SECONDARY_INDEXES } from '#shared/adapters/table-design.ts';
import { longestRetentionYears } from '#shared/policy/profile.ts';
import { AppSecret } from '../constructs/app-secret.ts';
import { CapabilityStack } from '../constructs/capability.ts';
import { CaseTable } from '../constructs/case-table.ts';
import { DataBackup, retentionDays } from '../constructs/data-backup.ts';
import { DataBuckets, RAW_EMAIL_SAFETY_NET_YEARS } from '../constructs/data-buckets.ts';
import { DataKey } from '../constructs/data-key.ts';
import type { ProviderContext } from '../provider-context.ts';

/**
 * Everything that holds data, in its own stack, retained when stacks are deleted: the case table, the
 * buckets for inbound email, attachments and rendered letters, the application secret, their key and their
 * AWS Backup plan, each built by its capability in `infra/constructs/`.
 */
export class DataStack extends CapabilityStack {
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

    this.key = new DataKey(this, 'DataKey', { prefix, providerName: provider.profile.name }).key;
    this.table = new CaseTable(this, 'CaseTable', { tableName: this.names.table, key: this.key }).table;
    const buckets = new DataBuckets(this, 'DataBuckets', {
      prefix,
      key: this.key,
      names: this.names,
      inboundExpirationDays: retentionDays(provider.profile.retention.rawEmail + RAW_EMAIL_SAFETY_NET_YEARS),
    });
    this.inboundEmail = buckets.inboundEmail;
    this.attachments = buckets.attachments;
    this.letters = buckets.letters;
    this.appSecret = new AppSecret(this, 'AppSecret', { prefix, key: this.key }).secret;
    new DataBackup(this, 'DataBackup', {
      prefix,
      key: this.key,
      table: this.table,
      buckets: [this.letters, this.attachments, this.inboundEmail],
      retentionYears: longestRetentionYears(provider.profile.retention),
    });
  }
}
