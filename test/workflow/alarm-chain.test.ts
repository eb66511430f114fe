import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { caseActionHandler } from '#functions/api/staff-actions.ts';
import { handler as sesEvents } from '#functions/email/ses-events.ts';
import { BREACH_LOG_MESSAGE } from '#functions/workflow/check-deadline.ts';
import { lettersOwed } from '#shared/domain/correspondence.ts';
import type { OutgoingEmail } from '#shared/ports/notifications.ts';
import { buildApp } from '../../infra/app.ts';
import { providerContext } from '../../infra/provider-context.ts';
import { apiEvent, lambdaContext, parse, staffClaims } from '../handlers/setup.ts';
import { capturedOutput } from '../support/output.ts';
import { Harness, types } from './harness.ts';

/**
 * From a fault to what operators see: each test drives a fault through the real ASL (or a handler) and shows
 * that the figure a CloudWatch alarm of the synthesized stack watches is produced: the execution's FAILED
 * status, the log line a metric filter counts, a handler failure that ends in the alarmed dead-letter queue,
 * a 5xx answer. Every alarm notifies the operations topic, which emails the profile's contact address.
 */
const provider = providerContext('code-baseline');
const { prefix } = provider;

type Resource = { Type: string; Properties: Record<string, unknown> };
let resources: Record<string, Resource>;

beforeAll(() => {
  // Bundling is skipped (only the resources and their wiring are read); cdk-nag still runs, so a synth on a
  // busy 2-core machine can take a minute.
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-alarms-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const built = buildApp({ provider: 'code-baseline', outdir }, app);
  resources = Template.fromStack(built.workflow).toJSON().Resources;
}, 240_000);

function logicalId(type: string, match: (properties: Record<string, unknown>) => boolean): string {
  const found = Object.entries(resources).filter(([, r]) => r.Type === type && match(r.Properties ?? {}));
  expect(found, `one ${type}`).toHaveLength(1);
  return found[0]?.[0] ?? '';
}

/** The alarm by name, checked to notify the operations topic that emails the operations mailbox. */
function alarm(name: string): Record<string, unknown> {
  const id = logicalId('AWS::CloudWatch::Alarm', (p) => p.AlarmName === `${prefix}-${name}`);
  const properties = resources[id]?.Properties ?? {};
  const topic = logicalId('AWS::SNS::Topic', (p) => p.TopicName === `${prefix}-alarms`);
  expect(properties.AlarmActions).toEqual([{ Ref: topic }]);
  expect(properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  logicalId(
    'AWS::SNS::Subscription',
    (p) => p.Protocol === 'email' && JSON.stringify(p.TopicArn) === JSON.stringify({ Ref: topic }),
  );
  return properties;
}

const functionId = (name: string) =>
  logicalId('AWS::Lambda::Function', (p) => p.FunctionName === `${prefix}-${name}`);

/**
 * CloudWatch Logs' JSON filter pattern of the one form the stack uses, `{ $.field = "value" }`, applied to a
 * log line: whether the metric filter would count it.
 */
function filterMatches(pattern: string, line: string): boolean {
  const parsed = /^\{ \$\.([A-Za-z_][\w.]*) = "((?:[^"\\]|\\.)*)" \}$/.exec(pattern);
  if (!parsed) throw new Error(`a filter pattern this test cannot read: ${pattern}`);
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return false;
  }
  const value = (parsed[1] ?? '')
    .split('.')
    .reduce<unknown>((at, key) => (at as Record<string, unknown>)?.[key], record);
  return value === parsed[2];
}

/** What the functions wrote to stdout and stderr (their JSON log lines) while `run` ran. */
async function capturedLines(run: () => Promise<unknown>): Promise<string[]> {
  const raw = await capturedOutput(run);
  return raw.split('\n').filter((line) => line.startsWith('{'));
}

let harness: Harness;
let sent: OutgoingEmail[];
let sesDown: boolean;
beforeEach(async () => {
  harness = await Harness.start();
  sent = [];
  sesDown = false;
  const mailer = harness.deps.mailer;
  const send = mailer.send.bind(mailer);
  mailer.send = async (email) => {
    if (sesDown)
      throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });
    const result = await send(email);
    sent.push(email);
    return result;
  };
});
afterEach(async () => {
  await harness.stop();
});

const MINUTE = 60_000;

describe('from a fault to the alarm that tells operators', () => {
  it('SES failing past every retry: the execution fails (executions-failed, register-task-errors: the wait for triage sends the receipt), and a resume sends the letter once', async () => {
    const failed = alarm('executions-failed');
    const machine = logicalId('AWS::StepFunctions::StateMachine', () => true);
    expect(failed).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Statistic: 'Sum',
    });
    expect(failed.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: machine } }]);
    const errors = alarm('register-task-errors');
    expect(errors).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors' });
    expect(errors.Dimensions).toEqual([
      { Name: 'FunctionName', Value: { Ref: functionId('register-task') } },
    ]);

    sesDown = true;
    const { caseId } = await harness.submit();
    // The task's retrier: up to 5, 15 and 45 s (full jitter), then the catch-all to the Fail state.
    await harness.advance(10 * MINUTE);
    const execution = harness.execution(caseId);
    expect(execution?.status).toBe('FAILED');
    expect(execution?.history.map((event) => event.state)).toContain('The workflow could not continue');
    // Nothing lost: the case is recorded and its acknowledgement letter still owed.
    const events = await harness.events(caseId);
    expect(types(events)).toEqual(['received']);
    expect(lettersOwed(events).map((letter) => letter.key)).toEqual(['complaint-received#1']);

    // The runbook's resume (docs/operations.md) once SES is back: the letter goes once, the case waits for triage.
    sesDown = false;
    await harness.deps.engine.startExecution(`${caseId}-resume-20260302T1010Z`, { caseId });
    await harness.system.settle();
    expect((await harness.openTask(caseId)).step).toBe('triage');
    const letters = sent.flatMap((email) => email.headers?.['X-Correspondence-Key'] ?? []);
    expect(letters).toEqual(['complaint-received#1']);
    expect(types(await harness.events(caseId)).filter((type) => type === 'correspondence-sent')).toHaveLength(
      1,
    );
  });

  it('a missed deadline: the breach log line matches the synthesized metric filter (deadline-breaches), and staff are alerted', async () => {
    const breaches = alarm('deadline-breaches');
    expect(breaches).toMatchObject({ Namespace: 'Complaints', MetricName: 'DeadlineBreaches' });
    const filterId = logicalId('AWS::Logs::MetricFilter', () => true);
    const filter = resources[filterId]?.Properties as {
      FilterPattern: string;
      LogGroupName: unknown;
      MetricTransformations: Array<Record<string, unknown>>;
    };
    expect(filter.MetricTransformations).toEqual([
      expect.objectContaining({
        MetricNamespace: 'Complaints',
        MetricName: 'DeadlineBreaches',
        MetricValue: '1',
        Dimensions: [{ Key: 'Provider', Value: prefix }],
      }),
    ]);
    expect(breaches.Dimensions).toEqual([{ Name: 'Provider', Value: prefix }]);
    // The filter reads the check-deadline function's own log group.
    expect(JSON.stringify(filter.LogGroupName)).toContain(
      logicalId('AWS::Logs::LogGroup', (p) => p.LogGroupName === `/aws/lambda/${prefix}-check-deadline`),
    );

    const { caseId, reference } = await harness.submit();
    const due = (await harness.openTask(caseId)).dueAt ?? '';
    const lines = await capturedLines(() =>
      harness.advanceTo(new Date(Date.parse(due) + 30 * MINUTE).toISOString()),
    );
    const counted = lines.filter((line) => filterMatches(filter.FilterPattern, line));
    expect(counted).toHaveLength(1);
    expect(JSON.parse(counted[0] ?? '{}')).toMatchObject({
      message: BREACH_LOG_MESSAGE,
      reference,
      step: 'triage',
    });
    // The line names the case by reference only: no resident's name or address in the logs.
    expect(counted[0]).not.toMatch(/Ada Resident|ada@resident\.example/);
    // What staff see: the breach alert to the handlers' and the managers' mailboxes.
    const alerts = sent
      .filter((email) => email.headers?.['X-Alert'] === 'breach')
      .map((email) => email.to[0]);
    expect(alerts.sort()).toEqual(['handlers@staff.localhost', 'managers@staff.localhost']);
  });

  it('ses-events failing on a DynamoDB fault: it throws, so Lambda parks the event in the alarmed dead-letter queue', async () => {
    const queue = logicalId('AWS::SQS::Queue', (p) => p.QueueName === `${prefix}-mail-events-dlq`);
    const parked = alarm('dead-letters-1');
    expect(parked).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' });
    expect(parked.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }]);
    const invokeConfig = logicalId(
      'AWS::Lambda::EventInvokeConfig',
      (p) => JSON.stringify(p.FunctionName) === JSON.stringify({ Ref: functionId('ses-events') }),
    );
    expect(resources[invokeConfig]?.Properties).toMatchObject({
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });

    const { caseId, reference } = await harness.submit();
    await harness.openTask(caseId);
    const repository = harness.deps.repository;
    const append = repository.appendEvent.bind(repository);
    repository.appendEvent = async () => {
      throw Object.assign(new Error('Internal server error'), {
        name: 'InternalServerError',
        $fault: 'server',
      });
    };
    const bounce = {
      Records: [
        {
          Sns: {
            Message: JSON.stringify({
              eventType: 'Bounce',
              mail: {
                headers: [
                  { name: 'X-Complaint-Reference', value: reference },
                  { name: 'X-Correspondence-Key', value: 'complaint-received#1' },
                ],
              },
              bounce: {
                bounceType: 'Permanent',
                bouncedRecipients: [{ emailAddress: 'ada@resident.example' }],
              },
            }),
          },
        },
      ],
    };
    await expect(sesEvents(bounce as never, lambdaContext)).rejects.toMatchObject({
      name: 'InternalServerError',
    });
    // Handled again from the queue once DynamoDB is back (the runbook's replay): recorded once.
    repository.appendEvent = append;
    await sesEvents(bounce as never, lambdaContext);
    await sesEvents(bounce as never, lambdaContext);
    expect(
      types(await harness.events(caseId)).filter((type) => type === 'correspondence-failed'),
    ).toHaveLength(1);
  });

  it('a throttled write on the API: the 503 "try again" is what api-server-errors counts', async () => {
    const serverErrors = alarm('api-server-errors');
    const api = logicalId('AWS::ApiGatewayV2::Api', () => true);
    expect(serverErrors).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5xx' });
    expect(serverErrors.Dimensions).toEqual([{ Name: 'ApiId', Value: { Ref: api } }]);

    const { caseId } = await harness.submit();
    const repository = harness.deps.repository;
    const append = repository.appendEvent.bind(repository);
    repository.appendEvent = async () => {
      throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
        name: 'ProvisionedThroughputExceededException',
      });
    };
    const note = () =>
      caseActionHandler(
        apiEvent({
          pathParameters: { caseId },
          json: { action: 'note', text: 'Rang' },
          claims: staffClaims('handler'),
        }),
        lambdaContext,
      ).then(parse);
    const answer = await note();
    expect(answer.statusCode).toBeGreaterThanOrEqual(500);
    expect(answer).toMatchObject({ statusCode: 503, body: { message: expect.stringMatching(/try again/) } });
    repository.appendEvent = append;
    expect((await note()).statusCode).toBe(200);
    expect(types(await harness.events(caseId)).filter((type) => type === 'note-added')).toHaveLength(1);
  });
});
