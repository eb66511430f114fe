import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { Capability } from './capability.ts';

export interface DataBackupProps {
  prefix: string;
  key: kms.IKey;
  table: dynamodb.ITable;
  /** Versioned buckets (AWS Backup refuses an unversioned one). */
  buckets: s3.IBucket[];
  /** The profile's longest retention, in years after closure: what the monthly backups must cover. */
  retentionYears: number;
}

/** Days in a whole number of years, leap days included, so a backup is never deleted a day early. */
export const retentionDays = (years: number) => Math.ceil(years * 365.25);

/** Daily backups cover the weeks after a mistake is made; PITR covers the same 35 days to the second. */
export const DAILY_BACKUP_DAYS = 35;

/**
 * AWS Backup for the case table and the data buckets: a daily backup kept 35 days and a monthly one kept for
 * the profile's longest retention (point-in-time recovery alone keeps 35 days; records are kept for years),
 * in a vault encrypted with the data key and retained when the stack is deleted.
 *
 * @example
 * new DataBackup(this, 'DataBackup', { prefix, key, table, buckets: [letters, attachments, inbound], retentionYears: 6 });
 */
export class DataBackup extends Capability {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: DataBackupProps) {
    super(scope, id);
    const { prefix, key } = props;
    this.vault = new backup.BackupVault(this, 'BackupVault', {
      backupVaultName: `${prefix}-backups`,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Times in UTC: 03:00 is after the daily digest and overnight intake, before the working day.
    const at = (schedule: Partial<events.CronOptions>) =>
      events.Schedule.cron({ minute: '0', hour: '3', ...schedule });
    this.plan = new backup.BackupPlan(this, 'BackupPlan', {
      backupPlanName: `${prefix}-backups`,
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: at({}),
          deleteAfter: Duration.days(DAILY_BACKUP_DAYS),
        }),
        new backup.BackupPlanRule({
          ruleName: 'Monthly',
          scheduleExpression: at({ day: '1' }),
          deleteAfter: Duration.days(retentionDays(props.retentionYears)),
        }),
      ],
    });
    // The AWS Backup service role policies AWS documents for DynamoDB and S3 backup and restore; AWS keeps
    // them current as the services change, and the selection below limits the role to this stack's data.
    const managed = [
      'AWSBackupServiceRolePolicyForBackup',
      'AWSBackupServiceRolePolicyForRestores',
      'AWSBackupServiceRolePolicyForS3Backup',
      'AWSBackupServiceRolePolicyForS3Restore',
    ];
    const role = new iam.Role(this, 'BackupRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup: backs up and restores the case table and the data buckets',
      managedPolicies: managed.map((name) =>
        iam.ManagedPolicy.fromAwsManagedPolicyName(`service-role/${name}`),
      ),
    });
    for (const name of managed) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`,
        reason: `${name} is the service role policy AWS documents for AWS Backup; the backup selection limits what the plan backs up to this stack's table and buckets`,
      });
    }
    this.plan.addSelection('CaseData', {
      backupSelectionName: `${prefix}-case-data`,
      role,
      resources: [
        backup.BackupResource.fromDynamoDbTable(props.table),
        ...props.buckets.map((bucket) => backup.BackupResource.fromArn(bucket.bucketArn)),
      ],
    });
  }
}
