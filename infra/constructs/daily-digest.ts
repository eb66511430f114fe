import type { Construct } from 'constructs';
import type { AppFunctions } from './app-functions.ts';
import { Capability } from './capability.ts';
import { dailySchedule } from './daily-schedule.ts';
import type { HouseFunction } from './house-function.ts';

export interface DailyDigestProps {
  prefix: string;
  functions: AppFunctions;
  /** The complaint state machine's name: the daily run resends the callbacks its executions are owed. */
  stateMachineName: string;
}

/**
 * The working-morning digest of new tasks (profile `notifications.newTasks`): a schedule at 08:00 London
 * time on weekdays that invokes one function. The function itself skips bank holidays and closure days.
 * The same run first resends every callback still owed, so it may complete tasks (SendTaskSuccess and
 * SendTaskFailure on the complaint state machine, nothing else of Step Functions), and then, the first time
 * it runs with a provider profile other than the one stored as applied (a deploy changed it), records the
 * moved due dates on open cases and writes the residents' letters (`applyProfileChange`).
 *
 * @example
 * new DailyDigest(this, 'DailyDigest', { prefix, functions, stateMachineName: workflow.stateMachineName });
 */
export class DailyDigest extends Capability {
  readonly fn: HouseFunction;

  constructor(scope: Construct, id: string, props: DailyDigestProps) {
    super(scope, id);
    this.fn = props.functions.build(
      this,
      {
        name: 'send-digest',
        module: 'workflow/send-digest',
        description:
          'Scheduled: resends owed workflow callbacks, records a changed profile on open cases, sends the daily digest',
      },
      // It marks the tasks it announced, so a retry sends no second digest. After a deploy with a changed
      // profile it records the moved dates on open cases and sends the residents' letters (stored for post
      // where the resident prefers it: put only, as the letters task).
      { table: 'readWrite', mail: true, letters: true },
    );
    this.fn.useStateMachine(props.stateMachineName, ['states:SendTaskSuccess', 'states:SendTaskFailure']);
    dailySchedule(this, this.fn.fn, {
      scheduleName: `${props.prefix}-daily-digest`,
      description: 'Each working morning at 08:00 London time: email each digest role its new tasks',
      roleDescription: 'EventBridge Scheduler: invokes the daily digest function only',
      hour: 8,
      weekDay: 'MON-FRI',
      scheduleId: 'DailyDigest',
      roleId: 'DailyDigestRole',
    });
  }
}
