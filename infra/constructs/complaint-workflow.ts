import { readFileSync } from 'node:fs';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { AppFunctions } from './app-functions.ts';
import { Capability } from './capability.ts';
import { type HouseFunction, STATE_MACHINE_ALIAS } from './house-function.ts';
import { WORKFLOW_TASKS } from './workflow-tasks.ts';

export const ASL_FILE = new URL('../../statemachines/complaint.asl.json', import.meta.url);

export { WORKFLOW_TASKS } from './workflow-tasks.ts';

type Substitution = (typeof WORKFLOW_TASKS)[number]['substitution'];

export interface ComplaintWorkflowProps {
  prefix: string;
  /** The provider's name, for the state machine's comment. */
  providerName: string;
  /** Encrypts the execution log group. */
  key: kms.IKey;
  functions: AppFunctions;
  /** X-Ray tracing of each execution (profile `features.xrayTracing`, ADR 0020). */
  tracing: boolean;
}

/**
 * The complaint workflow: the Standard state machine from `statemachines/complaint.asl.json`, the task
 * functions it invokes, its log group, and a version published on every deploy behind the `live` alias.
 *
 * Functions that start complaints or complete their tasks are granted by the machine's name
 * ({@link ComplaintWorkflow.grantStartAndComplete}), so a function the machine invokes can also complete
 * callbacks without a dependency cycle (toolchain.md section 5).
 *
 * @example
 * const workflow = new ComplaintWorkflow(this, 'ComplaintWorkflow', { prefix, providerName, key, functions });
 * workflow.grantStartAndComplete(apiFunction);
 */
export class ComplaintWorkflow extends Capability {
  readonly stateMachineName: string;
  readonly stateMachine: sfn.StateMachine;
  /** The task functions, by the ASL substitution each one fills. */
  readonly tasks: Record<Substitution, HouseFunction>;
  readonly alias: sfn.CfnStateMachineAlias;

  constructor(scope: Construct, id: string, props: ComplaintWorkflowProps) {
    super(scope, id);
    const { prefix, key, functions } = props;
    this.stateMachineName = `${prefix}-complaint`;

    this.tasks = Object.fromEntries(
      WORKFLOW_TASKS.map((task) => [
        task.substitution,
        functions.build(
          this,
          { name: task.name, module: task.module, description: `Workflow task: ${task.name}` },
          task.uses,
        ),
      ]),
    ) as Record<Substitution, HouseFunction>;
    // register-task also completes callbacks (when the case has moved on).
    this.tasks.RegisterTaskFunctionArn.useStateMachine(this.stateMachineName, [
      'states:SendTaskSuccess',
      'states:SendTaskFailure',
    ]);

    const machineLogs = new logs.LogGroup(this, 'MachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${this.stateMachineName}`,
      retention: logs.RetentionDays.SIX_MONTHS,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const taskFunctions = Object.values<HouseFunction>(this.tasks);
    this.stateMachine = new sfn.StateMachine(this, 'Complaint', {
      stateMachineName: this.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: `One execution per complaint for ${props.providerName}`,
      definitionBody: sfn.DefinitionBody.fromString(readFileSync(ASL_FILE, 'utf8')),
      definitionSubstitutions: Object.fromEntries(
        Object.entries<HouseFunction>(this.tasks).map(([substitution, fn]) => [
          substitution,
          fn.fn.functionArn,
        ]),
      ),
      tracingEnabled: props.tracing,
      // Execution data holds resident details: logged events carry state names and errors only.
      logs: { destination: machineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    // Invoke the unqualified functions only (grantInvoke would also allow every version, ":*").
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: taskFunctions.map((fn) => fn.fn.functionArn),
      }),
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: props.tracing
        ? 'CloudWatch Logs delivery (logs:CreateLogDelivery and related) and X-Ray do not support resource-level permissions'
        : 'CloudWatch Logs delivery (logs:CreateLogDelivery and related) does not support resource-level permissions',
    });
    if (!props.tracing) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SF2',
        reason:
          "X-Ray tracing is the provider profile's features.xrayTracing, off by default for its cost per complaint (ADR 0015, ADR 0020); the execution history and the encrypted ALL-level execution log record every step, and docs/operations.md says how to turn tracing on",
      });
    }
    // In-flight executions keep the definition they started with; each deploy publishes a version and
    // moves the "live" alias, which new executions start on.
    const version = new sfn.CfnStateMachineVersion(this, 'ComplaintVersion', {
      stateMachineArn: this.stateMachine.stateMachineArn,
      stateMachineRevisionId: this.stateMachine.stateMachineRevisionId,
      description: 'Published on deploy',
    });
    // Kept when the next deploy publishes a new one: in-flight executions and rollbacks refer to it.
    version.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.alias = new sfn.CfnStateMachineAlias(this, 'ComplaintLive', {
      name: STATE_MACHINE_ALIAS,
      description: 'New complaints start here',
      routingConfiguration: [{ stateMachineVersionArn: version.attrArn, weight: 100 }],
    });
  }

  /** The log group of the function that records deadline breaches (the breach metric filter reads it). */
  get breachLogGroup(): logs.ILogGroup {
    return this.tasks.CheckDeadlineFunctionArn.fn.logGroup;
  }

  /**
   * Lets a function start complaints (on the `live` alias, STATE_MACHINE_ARN) and complete their tasks: the
   * staff API and the web pages.
   */
  grantStartAndComplete(fn: HouseFunction): void {
    fn.useStateMachine(this.stateMachineName, [
      'states:StartExecution',
      'states:SendTaskSuccess',
      'states:SendTaskFailure',
    ]);
  }
}
