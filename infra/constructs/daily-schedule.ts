import { type CfnElement, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';

export interface DailyScheduleProps {
  /** The schedule's name (`<prefix>-<job>`). */
  scheduleName: string;
  description: string;
  /** What the schedule's role is for, in IAM's description. */
  roleDescription: string;
  /** The hour, London time (the schedule follows BST). */
  hour: number;
  /** @default 0 */
  minute?: number;
  /** Cron week days, e.g. `MON-FRI`; every day by default. */
  weekDay?: string;
  /** The construct ids of the schedule and its role: kept from when each job built its own. */
  scheduleId: string;
  roleId: string;
}

/**
 * An EventBridge Scheduler schedule that invokes one function once a day at a time of day in London, through a
 * role that may invoke that function only (the target grants it; the acknowledgement says why ":*" is there).
 * Retried twice on failure.
 *
 * @example
 * dailySchedule(this, fn, { scheduleName: `${prefix}-retention`, hour: 7, scheduleId: 'Retention', ... });
 */
export function dailySchedule(
  scope: Construct,
  fn: lambda.IFunction,
  props: DailyScheduleProps,
): scheduler.Schedule {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, props.roleId, {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: props.roleDescription,
  });
  Validations.of(role).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
    reason: `The scheduler target grants invoke on this one function and its versions (":*"): ${props.roleDescription}`,
  });
  return new scheduler.Schedule(scope, props.scheduleId, {
    scheduleName: props.scheduleName,
    description: props.description,
    schedule: scheduler.ScheduleExpression.cron({
      minute: String(props.minute ?? 0),
      hour: String(props.hour),
      ...(props.weekDay ? { weekDay: props.weekDay } : {}),
      timeZone: TimeZone.EUROPE_LONDON,
    }),
    target: new schedulerTargets.LambdaInvoke(fn, {
      input: scheduler.ScheduleTargetInput.fromObject({}),
      retryAttempts: 2,
      role,
    }),
  });
}
