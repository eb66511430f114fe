import { type CfnElement, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import type { AppFunctions } from './app-functions.ts';
import { Capability } from './capability.ts';
import type { HouseFunction } from './house-function.ts';

export interface RetentionJobProps {
  prefix: string;
  functions: AppFunctions;
  letters: s3.IBucket;
  attachments: s3.IBucket;
  inboundEmail: s3.IBucket;
}

/**
 * The retention job (docs/operations.md#retention): a schedule at 07:00 London time every day that invokes one
 * function, which anonymises closed cases past the profile's retention and deletes their attachments, letters
 * and raw emails. Its grants are what that takes and no more: the case table, DeleteObject on the attachments,
 * on the inbound bucket's `inbound/` and `held/` prefixes and on the letters (with ListBucket on them, to find a case's letters
 * under `<caseId>/`). It sends no email and starts no execution.
 *
 * @example
 * new RetentionJob(this, 'Retention', { prefix, functions, letters, attachments, inboundEmail });
 */
export class RetentionJob extends Capability {
  readonly fn: HouseFunction;

  constructor(scope: Construct, id: string, props: RetentionJobProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.fn = props.functions.build(
      this,
      {
        name: 'retention',
        module: 'workflow/retention',
        description: 'Scheduled: anonymises closed cases past retention, deletes their files and letters',
        // Each case is a few requests; a first run after years of cases may have many to do.
        timeout: Duration.minutes(5),
      },
      { table: 'readWrite' },
    );
    // The raw emails under the receipt prefix (the acknowledgement of that prefix comes with it).
    this.fn.useInboundEmailBucket(props.inboundEmail, ['s3:DeleteObject']);
    this.fn.useHeldRawEmail(props.inboundEmail, ['s3:DeleteObject']);
    const { fn } = this.fn;
    fn.addEnvironment('ATTACHMENTS_BUCKET', props.attachments.bucketName);
    fn.addEnvironment('LETTERS_BUCKET', props.letters.bucketName);
    // The buckets' objects (the standard findings acknowledge these two resources), and listing the letters.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: [props.attachments.arnForObjects('*'), props.letters.arnForObjects('*')],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.letters.bucketArn] }),
    );
    const role = new iam.Role(this, 'RetentionScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler: invokes the retention function only',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        'The scheduler target grants invoke on the retention function and its versions (":*"); no other function',
    });
    new scheduler.Schedule(this, 'Retention', {
      scheduleName: `${props.prefix}-retention`,
      description: "Every day at 07:00 London time: apply the provider profile's retention to closed cases",
      schedule: scheduler.ScheduleExpression.cron({
        minute: '0',
        hour: '7',
        timeZone: TimeZone.EUROPE_LONDON,
      }),
      target: new schedulerTargets.LambdaInvoke(fn, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts: 2,
        role,
      }),
    });
  }
}
