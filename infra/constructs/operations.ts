import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { BusinessMetric } from '#shared/ports/telemetry.ts';
import { BREACH_LOG_MESSAGE } from '../../functions/workflow/check-deadline.ts';
import type { HouseFunction } from './house-function.ts';

export interface OperationsProps {
  prefix: string;
  opsEmail: string;
  key: kms.IKey;
  stateMachine: sfn.StateMachine;
  functions: readonly HouseFunction[];
  breachLogGroup?: logs.ILogGroup;
  deadLetterQueues: readonly sqs.IQueue[];
  configurationSet: ses.ConfigurationSet;
  api: apigw.HttpApi;
}

/** Alarms to the provider's operations mailbox, and one dashboard with the same signals. */
export class Operations extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Alarms', {
      topicName: `${props.prefix}-alarms`,
      masterKey: props.key,
      enforceSSL: true,
    });
    this.topic.addSubscription(new subscriptions.EmailSubscription(props.opsEmail));
    const alarm = (name: string, metric: cloudwatch.IMetric, description: string, threshold = 1) => {
      const created = new cloudwatch.Alarm(this, name, {
        alarmName: `${props.prefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new actions.SnsAction(this.topic));
      this.alarms.push(created);
      return created;
    };
    const fiveMinutes = { period: Duration.minutes(5), statistic: 'Sum' };

    alarm(
      'executions-failed',
      props.stateMachine.metricFailed(fiveMinutes),
      'A complaint execution failed: resume it (docs/operations.md)',
    );
    alarm(
      'executions-timed-out',
      props.stateMachine.metricTimedOut(fiveMinutes),
      'A complaint execution timed out',
    );
    alarm(
      'executions-aborted',
      props.stateMachine.metricAborted(fiveMinutes),
      'A complaint execution was stopped',
    );

    const breaches = new cloudwatch.Metric({
      namespace: 'Complaints',
      metricName: 'DeadlineBreaches',
      dimensionsMap: { Provider: props.prefix },
      ...fiveMinutes,
    });
    if (props.breachLogGroup) {
      new logs.MetricFilter(this, 'BreachFilter', {
        logGroup: props.breachLogGroup,
        filterPattern: logs.FilterPattern.stringValue('$.message', '=', BREACH_LOG_MESSAGE),
        metricNamespace: 'Complaints',
        metricName: 'DeadlineBreaches',
        dimensions: { Provider: props.prefix },
        metricValue: '1',
      });
    }
    alarm('deadline-breaches', breaches, 'A Complaint Handling Code deadline was missed');

    // Embedded metrics carry the function's service dimension beside their own (functions/lib/observability.ts).
    const callbackOwed = (outcome: 'owed' | 'unmarked') =>
      new cloudwatch.Metric({
        namespace: props.prefix,
        metricName: 'CallbackOwed' satisfies BusinessMetric,
        dimensionsMap: { service: props.prefix, Outcome: outcome },
        ...fiveMinutes,
      });
    const callbacksOwed = new cloudwatch.MathExpression({
      expression: 'FILL(owed, 0) + FILL(unmarked, 0)',
      usingMetrics: { owed: callbackOwed('owed'), unmarked: callbackOwed('unmarked') },
      label: 'Workflow callbacks refused',
      period: Duration.minutes(5),
    });
    alarm(
      'callbacks-owed',
      callbacksOwed,
      'Step Functions refused a task callback after its retries: the case waits until it is resent (docs/operations.md)',
    );

    for (const house of props.functions) {
      const name = house.node.id.replace(/^Fn-/, '');
      alarm(`${name}-errors`, house.fn.metricErrors(fiveMinutes), `${name} threw errors`);
      alarm(`${name}-throttles`, house.fn.metricThrottles(fiveMinutes), `${name} was throttled`);
    }
    props.deadLetterQueues.forEach((queue, index) => {
      alarm(
        `dead-letters-${index + 1}`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        'Messages are waiting in a dead-letter queue',
      );
    });
    // Handlers answer 500 rather than fail, so Lambda errors miss them: the API's own count does not.
    alarm(
      'api-server-errors',
      props.api.metricServerError(fiveMinutes),
      'The API answered with server errors',
    );
    const bounceRate = new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName: 'Reputation.BounceRate',
      period: Duration.hours(1),
      statistic: 'Maximum',
    });
    alarm(
      'ses-bounce-rate',
      bounceRate,
      'SES bounce rate is above 5%: check addresses before SES pauses sending',
      0.05,
    );

    new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.prefix}-operations`,
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Complaint executions',
            left: [
              props.stateMachine.metricStarted(fiveMinutes),
              props.stateMachine.metricSucceeded(fiveMinutes),
              props.stateMachine.metricFailed(fiveMinutes),
            ],
          }),
          new cloudwatch.GraphWidget({ title: 'Deadline breaches', left: [breaches] }),
          new cloudwatch.GraphWidget({
            title: 'API requests and errors',
            left: [
              props.api.metricCount(fiveMinutes),
              props.api.metricServerError(fiveMinutes),
              props.api.metricClientError(fiveMinutes),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Lambda errors',
            left: props.functions.map((f) => f.fn.metricErrors(fiveMinutes)),
          }),
          new cloudwatch.GraphWidget({ title: 'SES bounce rate', left: [bounceRate] }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms }),
        ],
      ],
    });
  }
}
