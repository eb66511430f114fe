import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { Capability } from './capability.ts';

export interface DataKeyProps {
  prefix: string;
  /** The provider's name, for the key's description. */
  providerName: string;
}

/**
 * The one customer-managed key for complaint data (table, buckets, secret, log groups, topics and queues),
 * rotated yearly and retained, with the service principals that write encrypted data for us.
 *
 * @example
 * const { key } = new DataKey(this, 'DataKey', { prefix, providerName: profile.name });
 */
export class DataKey extends Capability {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DataKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'DataKey', {
      alias: `alias/${props.prefix}-data`,
      description: `Encrypts complaint data for ${props.providerName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs and SES (which writes inbound mail to S3) must be able to use the key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${stack.region}:${stack.account}:*`,
          },
        },
      }),
    );
    // Services that write to encrypted topics, queues and buckets for us: SES (inbound mail, event
    // publishing), CloudWatch (alarms to the encrypted topic), SNS (to the encrypted dead-letter queue) and
    // EventBridge (inbound email events it cannot deliver, to their dead-letter queue).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [
          'ses.amazonaws.com',
          'cloudwatch.amazonaws.com',
          'sns.amazonaws.com',
          'events.amazonaws.com',
        ].map((service) => new iam.ServicePrincipal(service)),
        actions: ['kms:GenerateDataKey*', 'kms:Encrypt', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
  }
}
