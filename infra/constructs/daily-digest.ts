import { CustomResource, Duration } from 'aws-cdk-lib';
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
 * How long CloudFormation waits for a profile check's answer (the most it allows): a pass that runs out of an
 * invocation's 15 minutes stops and is run again by Lambda, twice, one and then two minutes later, so three
 * invocations and the waits between them (48 minutes) fit.
 */
const PROFILE_CHECK_TIMEOUT = Duration.minutes(60);

/**
 * The working-morning digest of new tasks (profile `notifications.newTasks`): a schedule at 08:00 London
 * time on weekdays that invokes one function. The function itself skips bank holidays and closure days.
 * The same run first resends every callback still owed, so it may complete tasks (SendTaskSuccess and
 * SendTaskFailure on the complaint state machine, nothing else of Step Functions), and then, the first time
 * it runs with a provider profile other than the one stored as applied (a deploy changed it), records the
 * moved due dates on open cases and writes the residents' letters (`applyProfileChange`). A deploy runs that
 * check itself through the same function ({@link DailyDigest.checkProfileAtDeploy}), so the daily run only
 * finishes one a deploy could not.
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
        // A profile change reads every open case (the deploy's check and the daily run), its letters paced below
        // SES's rate: Lambda's most (docs/operations.md, "at scale").
        timeout: Duration.minutes(15),
      },
      // It marks the tasks it announced, so a retry sends no second digest. After a deploy with a changed
      // profile it records the moved dates on open cases and sends the residents' letters (stored for post
      // where the resident prefers it: put only, as the letters task).
      { table: 'readWrite', mail: true, letters: true },
    );
    this.fn.useStateMachine(props.stateMachineName, ['states:SendTaskSuccess', 'states:SendTaskFailure']);
    // A deploy's pass that runs out of time fails its invocation to be continued by these (Lambda's default,
    // stated because the profile check's capacity counts on them).
    this.fn.fn.configureAsyncInvoke({ retryAttempts: 2 });
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

  /**
   * The provider profile check at deploy: two custom resources whose service token is this function, each with
   * the profile's fingerprint in its properties, so CloudFormation invokes it on the first deploy and on every
   * deploy that changes the profile, and on no other. `record` runs before `others` (every other function) are
   * updated: the moved dates are recorded while the old functions still read cases under the old profile, and
   * the recorded dates pin what both profiles read. `apply` runs once all of them are updated: it records the
   * cases that moved to another step meanwhile and stores the profile as applied. A failed check fails the
   * deploy (CloudFormation rolls the functions back to the old profile), with the reason in the stack's events.
   * No IAM is added: CloudFormation invokes the function with the deploy's own credentials.
   */
  checkProfileAtDeploy(profileFingerprint: string, others: readonly HouseFunction[]): void {
    const check = (id: string, pass: 'record' | 'apply') =>
      new CustomResource(this, id, {
        resourceType: 'Custom::ProfileCheck',
        serviceToken: this.fn.fn.functionArn,
        serviceTimeout: PROFILE_CHECK_TIMEOUT,
        properties: { pass, profileFingerprint },
      });
    const record = check('ProfileRecorded', 'record');
    const apply = check('ProfileApplied', 'apply');
    apply.node.addDependency(record);
    for (const other of others.filter((fn) => fn !== this.fn)) {
      other.fn.node.addDependency(record);
      apply.node.addDependency(other.fn);
    }
  }
}
