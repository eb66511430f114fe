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
    this.fn.useRecordDeletion(props);
    const { fn } = this.fn;
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
