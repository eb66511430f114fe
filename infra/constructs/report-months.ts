import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { AppFunctions } from './app-functions.ts';
import { Capability } from './capability.ts';
import { dailySchedule } from './daily-schedule.ts';
import type { HouseFunction } from './house-function.ts';

export interface ReportMonthsProps {
  prefix: string;
  functions: AppFunctions;
  table: dynamodb.ITable;
}

/**
 * The daily build of report months (docs/operations.md#the-daily-build-of-report-months): a schedule at 07:30
 * London time every day (after the retention job, whose anonymisations change months' facts) that invokes one
 * function, which stores each closed month's report tally that is missing or stale. It reads the table and may
 * update only the `REPORTMONTH#` items (a condition on the partition key): it writes no case, sends nothing and
 * starts nothing.
 *
 * @example
 * new ReportMonths(this, 'ReportMonths', { prefix, functions, table: data.table });
 */
export class ReportMonths extends Capability {
  readonly fn: HouseFunction;

  constructor(scope: Construct, id: string, props: ReportMonthsProps) {
    super(scope, id);
    this.fn = props.functions.build(
      this,
      {
        name: 'report-months',
        module: 'workflow/report-months',
        description: 'Scheduled: stores the report tally of each closed month that is missing or stale',
        // At most twelve months a run (MONTHS_PER_DAILY_RUN in shared/usecases/report.ts), each one Query of
        // its partition of the month index.
        timeout: Duration.minutes(5),
      },
      { table: 'read' },
    );
    this.fn.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REPORTMONTH#*'] } },
      }),
    );
    // The key half of a write grant (the read grant above gave Decrypt): the table is encrypted with the
    // customer-managed data key, and table.grantWriteData would add the table's every write action too.
    props.table.encryptionKey?.grantEncrypt(this.fn.fn);
    dailySchedule(this, this.fn.fn, {
      scheduleName: `${props.prefix}-report-months`,
      description:
        'Every day at 07:30 London time: build the report tally of each closed month missing or stale',
      roleDescription: 'EventBridge Scheduler: invokes the report-months function only',
      hour: 7,
      minute: 30,
      scheduleId: 'ReportMonths',
      roleId: 'ReportMonthsScheduleRole',
    });
  }
}
