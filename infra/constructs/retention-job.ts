import { Duration } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { AppFunctions } from './app-functions.ts';
import { Capability } from './capability.ts';
import { dailySchedule } from './daily-schedule.ts';
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
    dailySchedule(this, fn, {
      scheduleName: `${props.prefix}-retention`,
      description: "Every day at 07:00 London time: apply the provider profile's retention to closed cases",
      roleDescription: 'EventBridge Scheduler: invokes the retention function only',
      hour: 7,
      scheduleId: 'Retention',
      roleId: 'RetentionScheduleRole',
    });
  }
}
