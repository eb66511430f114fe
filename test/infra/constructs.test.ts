import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnOutput, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ALL_ROUTES } from '#functions/routes.ts';
import { profileFingerprint } from '#shared/policy/profile.ts';
import { buildApp } from '../../infra/app.ts';
import { AppFunctions } from '../../infra/constructs/app-functions.ts';
import { Capability, CapabilityStack } from '../../infra/constructs/capability.ts';
import { ComplaintApi } from '../../infra/constructs/complaint-api.ts';
import { ComplaintWorkflow } from '../../infra/constructs/complaint-workflow.ts';
import { DailyDigest } from '../../infra/constructs/daily-digest.ts';
import { Mail, type MailProps } from '../../infra/constructs/mail.ts';
import { Operations } from '../../infra/constructs/operations.ts';
import { ReportMonths } from '../../infra/constructs/report-months.ts';
import { RetentionJob } from '../../infra/constructs/retention-job.ts';
import { StaffDirectory } from '../../infra/constructs/staff-directory.ts';
import { providerContext } from '../../infra/provider-context.ts';
import { DataStack } from '../../infra/stacks/data-stack.ts';

// The first synth in a worker loads much of aws-cdk-lib: tens of seconds on a busy 2-core machine.
const SYNTH_TIMEOUT = 240_000;

const provider = providerContext('code-baseline');
const { prefix } = provider;

/**
 * One capability (with the Mail and function wiring every capability with functions needs) in a stack of
 * its own, under cdk-nag. Bundling is skipped: these tests are about resources, grants and findings.
 */
function alone(
  build: (stack: CapabilityStack, shared: Shared) => void,
  mailProps: Partial<MailProps> = {},
  tracing = false,
): Template {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'cdk-construct-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const data = new DataStack(app, 'Data', provider);
  const stack = new CapabilityStack(app, 'Alone');
  const refs = data.referencesIn(stack);
  const mail = new Mail(stack, 'Mail', {
    prefix,
    key: refs.key,
    senderEmail: provider.profile.letters.senderEmail,
    inboundBucket: refs.inboundEmail,
    ...mailProps,
  });
  const functions = new AppFunctions({
    prefix,
    profilePath: provider.profilePath,
    key: refs.key,
    table: refs.table,
    appSecret: refs.appSecret,
    letters: refs.letters,
    mail,
    environment: {},
    tracing,
  });
  build(stack, { refs, mail, functions });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
  return Template.fromStack(stack);
}

const mailFunctions = (_stack: CapabilityStack, { refs, mail, functions }: Shared) => {
  mail.addFunctions(functions, { attachments: refs.attachments, stateMachineName: `${prefix}-complaint` });
};

interface Shared {
  refs: ReturnType<DataStack['referencesIn']>;
  mail: Mail;
  functions: AppFunctions;
}

describe('Capability', { timeout: SYNTH_TIMEOUT }, () => {
  it('leaves its id out of the logical ids of the resources under it', () => {
    // Prepare
    const app = new App();
    const plain = new Stack(app, 'Plain');
    const capable = new CapabilityStack(app, 'Capable');
    const inline = new sns.Topic(new Construct(plain, 'Group'), 'Events');
    const grouped = new sns.Topic(new Construct(new Capability(capable, 'Mail'), 'Group'), 'Events');

    // Act
    const ids = [plain, capable].map((stack) =>
      Object.keys(Template.fromStack(stack).findResources('AWS::SNS::Topic')),
    );

    // Assess
    expect(ids[1]).toEqual(ids[0]);
    expect(capable.resolve(grouped.topicArn)).toEqual(plain.resolve(inline.topicArn));
  });

  it('refuses two capabilities that give children the same id', () => {
    const app = new App();
    const stack = new CapabilityStack(app, 'Clash');
    new sns.Topic(new Capability(stack, 'One'), 'Events');
    new sns.Topic(new Capability(stack, 'Two'), 'Events');
    expect(() => app.synth()).toThrow(/already contains 'Events/);
  });
});

describe('each capability on its own', { timeout: SYNTH_TIMEOUT }, () => {
  it('Mail: sends through its configuration set as the sender domain only, nag clean', () => {
    const template = alone(mailFunctions);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint', 'reject']),
      }),
    });
    const domain = provider.profile.letters.senderEmail.split('@')[1];
    const send = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => statement.Action === 'ses:SendEmail');
    // Email intake alone sends (it alerts the assignee of a reply); SES events posts a bounced letter instead.
    expect(send).toHaveLength(1);
    for (const statement of send) {
      expect(JSON.stringify(statement.Resource)).toContain(`:identity/${domain}"`);
      expect(JSON.stringify(statement.Resource)).toContain(':configuration-set/');
    }
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
  });

  it('Mail: email intake runs on objects created under inbound/, with a dead-letter queue and scoped grants, nag clean', () => {
    const template = alone(mailFunctions);
    const functions = template.findResources('AWS::Lambda::Function');
    const [intakeId, intake] = Object.entries(functions).find(
      ([, fn]) => fn.Properties.FunctionName === `${prefix}-email-intake`,
    ) ?? ['', undefined];
    expect(JSON.stringify(intake?.Properties.Environment.Variables.INBOUND_EMAIL_BUCKET)).toContain(
      `${prefix}-inbound-`,
    );
    // EventBridge passes it every object created under the receipt rule's prefix in the inbound bucket.
    const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rule?.Properties.EventPattern).toMatchObject({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { object: { key: [{ prefix: 'inbound/' }] } },
    });
    expect(JSON.stringify(rule?.Properties.EventPattern.detail.bucket.name)).toContain(`${prefix}-inbound-`);
    expect(rule?.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [intakeId, 'Arn'] },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/InboundEmailDeadLetters/), 'Arn'] },
        },
      }),
    ]);
    // A notification it keeps failing on goes to an encrypted, TLS-only dead-letter queue.
    const queues = template.findResources('AWS::SQS::Queue');
    const [queueId, queue] = Object.entries(queues).find(
      ([, q]) => q.Properties.QueueName === `${prefix}-inbound-email-dlq`,
    ) ?? ['', undefined];
    expect(queue?.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: intakeId },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    // The intake role reads and deletes raw messages under inbound/ only, and puts the copy a legal hold keeps
    // of a reply to a held case under held/ (and deletes it again if the case was anonymised meanwhile);
    // nothing else in that bucket.
    const roleId = intake?.Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const inbound = statements.filter((statement) =>
      JSON.stringify(statement.Resource).includes('-inbound-'),
    );
    expect(inbound.map((statement) => statement.Action)).toEqual([
      ['s3:GetObject', 's3:DeleteObject'],
      ['s3:PutObject', 's3:DeleteObject'],
    ]);
    expect(JSON.stringify(inbound[0].Resource)).toContain('"/inbound/*"');
    expect(JSON.stringify(inbound[1].Resource)).toContain('"/held/*"');
    const attachments = statements.filter((statement) =>
      JSON.stringify(statement.Resource).includes('-attachments-'),
    );
    expect(attachments.flatMap((statement) => [statement.Action].flat())).not.toContain('s3:GetObject');
    expect(statements.some((statement) => [statement.Action].flat().includes('kms:Decrypt'))).toBe(true);
    expect(statements.filter((statement) => JSON.stringify(statement.Action).includes('states:'))).toEqual([
      expect.objectContaining({ Action: 'states:StartExecution' }),
    ]);
  });

  it('Mail: receives email for the inbound domain into the inbound bucket, nag clean', () => {
    const template = alone(() => {}, { inboundEmailDomain: 'complaints.example.org' });
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({
        Recipients: ['complaints.example.org'],
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Actions: [Match.objectLike({ S3Action: Match.objectLike({ ObjectKeyPrefix: 'inbound/' }) })],
      }),
    });
    // No KMS key on the action: that would make SES encrypt client-side. The bucket's SSE-KMS applies.
    const [rule] = Object.values(template.findResources('AWS::SES::ReceiptRule'));
    expect(rule?.Properties.Rule.Actions[0].S3Action.KmsKeyArn).toBeUndefined();
  });

  it('ComplaintWorkflow: invokes its task functions only, nag clean', () => {
    const template = alone((stack, { refs, functions }) => {
      new ComplaintWorkflow(stack, 'ComplaintWorkflow', {
        prefix,
        providerName: 'Test',
        key: refs.key,
        functions,
        tracing: false,
      });
    });
    const invoke = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => statement.Action === 'lambda:InvokeFunction');
    expect(invoke).toHaveLength(1);
    expect(invoke[0].Resource).toHaveLength(5);
    template.resourceCountIs('AWS::StepFunctions::StateMachineAlias', 1);
  });

  it('ComplaintWorkflow: X-Ray only with the profile switch: no tracing and no xray action by default, both when on, nag clean either way (ADR 0020)', () => {
    const xrayActions = (template: Template) =>
      Object.values(template.findResources('AWS::IAM::Policy'))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
        .flatMap((statement) => [statement.Action].flat())
        .filter((action: string) => action.startsWith('xray:'));
    const workflow = (tracing: boolean) =>
      alone(
        (stack, { refs, functions }) => {
          new ComplaintWorkflow(stack, 'ComplaintWorkflow', {
            prefix,
            providerName: 'Test',
            key: refs.key,
            functions,
            tracing,
          });
        },
        {},
        tracing,
      );

    const off = workflow(false);
    const [machine] = Object.values(off.findResources('AWS::StepFunctions::StateMachine'));
    // Said explicitly, so a deployment that had it on is switched off by the next deploy.
    expect(machine?.Properties.TracingConfiguration).toEqual({ Enabled: false });
    const functions = Object.values(off.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThanOrEqual(5);
    for (const fn of functions) expect(fn.Properties.TracingConfig).toBeUndefined();
    expect(xrayActions(off)).toEqual([]);

    const on = workflow(true);
    const [traced] = Object.values(on.findResources('AWS::StepFunctions::StateMachine'));
    expect(traced?.Properties.TracingConfiguration).toEqual({ Enabled: true });
    for (const fn of Object.values(on.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    expect(new Set(xrayActions(on))).toEqual(
      new Set([
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
      ]),
    );
  });

  it('DailyDigest: may complete callbacks on the complaint state machine only (and start nothing), nag clean', () => {
    const stateMachineName = `${prefix}-complaint`;
    const template = alone((stack, { functions }) => {
      new DailyDigest(stack, 'DailyDigest', { prefix, functions, stateMachineName });
    });
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    const states = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) =>
        [statement.Action].flat().some((action: string) => action.startsWith('states:')),
      );
    // One statement, on the send-digest function's role: the callbacks it resends, nothing else.
    expect(states).toHaveLength(1);
    expect([states[0].Action].flat().sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskSuccess']);
    const resources = JSON.stringify(states[0].Resource);
    expect(resources).toContain(`:stateMachine:${stateMachineName}"`);
    expect(resources).toContain(`:stateMachine:${stateMachineName}:*"`);
    expect(resources).not.toMatch(/stateMachine:\*|"\*"/);
    const roles = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy).includes('states:SendTaskSuccess'))
      .flatMap((policy) => policy.Properties.Roles.map((role: { Ref: string }) => role.Ref));
    expect(roles).toHaveLength(1);
    expect(roles[0]).toMatch(/senddigest/i);
  });

  it('DailyDigest: checks the profile at deploy through its own function, before and after every other function is updated, granting nothing more, nag clean', () => {
    // Prepare: the workflow's task functions stand for the others.
    const fingerprint = profileFingerprint(provider.profile);
    const stateMachineName = `${prefix}-complaint`;
    const template = alone((stack, { refs, functions }) => {
      new ComplaintWorkflow(stack, 'ComplaintWorkflow', {
        prefix,
        providerName: 'Test',
        key: refs.key,
        functions,
        tracing: false,
      });
      const digest = new DailyDigest(stack, 'DailyDigest', { prefix, functions, stateMachineName });
      // Act
      digest.checkProfileAtDeploy(fingerprint, functions.all);
    });

    // Assess: two checks, each invoking the send-digest function itself with its pass and the fingerprint.
    const lambdas = Object.entries(template.findResources('AWS::Lambda::Function'));
    const digestId = lambdas.find(([, fn]) => fn.Properties.FunctionName === `${prefix}-send-digest`)?.[0];
    const others = lambdas.map(([id]) => id).filter((id) => id !== digestId);
    expect(digestId).toBeDefined();
    expect(others).toHaveLength(5);
    const checks = Object.entries(template.findResources('Custom::ProfileCheck'));
    expect(checks.map(([, check]) => check.Properties)).toEqual([
      {
        ServiceToken: { 'Fn::GetAtt': [digestId, 'Arn'] },
        ServiceTimeout: '3600',
        pass: 'record',
        profileFingerprint: fingerprint,
      },
      {
        ServiceToken: { 'Fn::GetAtt': [digestId, 'Arn'] },
        ServiceTimeout: '3600',
        pass: 'apply',
        profileFingerprint: fingerprint,
      },
    ]);
    // A pass has Lambda's 15 minutes, and one that runs out of them is run again by Lambda twice: three
    // invocations and the retries' waits fit CloudFormation's hour.
    expect(lambdas.find(([id]) => id === digestId)?.[1].Properties.Timeout).toBe(900);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: digestId },
      MaximumRetryAttempts: 2,
    });
    const [recordId, record] = checks[0] ?? [];
    const [, apply] = checks[1] ?? [];
    // record runs before every other function is updated, apply after all of them (and after record).
    for (const id of others)
      expect(lambdas.find(([other]) => other === id)?.[1].DependsOn).toContain(recordId);
    expect(record?.DependsOn ?? []).toEqual([]);
    expect(apply?.DependsOn).toEqual(expect.arrayContaining([...others, recordId]));
    expect(apply?.DependsOn).not.toContain(digestId);
    // Only the send-digest function, with its own grants: no provider function, no invoke permission.
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    expect(lambdas).toHaveLength(6);
    const invokes = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => [statement.Action].flat().includes('lambda:InvokeFunction'));
    // The state machine's (its tasks) and the schedule's (send-digest), as without the check.
    expect(invokes).toHaveLength(2);
  });

  it('RetentionJob: a daily schedule invoking one function that may delete case files and nothing else, nag clean', () => {
    const template = alone((stack, { refs, functions }) => {
      new RetentionJob(stack, 'Retention', {
        prefix,
        functions,
        letters: refs.letters,
        attachments: refs.attachments,
        inboundEmail: refs.inboundEmail,
      });
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: `${prefix}-retention`,
      ScheduleExpression: 'cron(0 7 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => /retention/i.test(JSON.stringify(policy.Properties.Roles)))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const s3 = statements.filter((statement) =>
      [statement.Action].flat().some((action: string) => action.startsWith('s3:')),
    );
    const actions = s3.flatMap((statement) => [statement.Action].flat()).sort();
    expect(actions).toEqual(['s3:DeleteObject', 's3:DeleteObject', 's3:DeleteObject', 's3:ListBucket']);
    const deletes = JSON.stringify(s3.filter((statement) => statement.Action === 's3:DeleteObject'));
    expect(deletes).toContain('"/inbound/*"');
    expect(deletes).toContain('"/held/*"');
    expect(deletes).toMatch(/-attachments-/);
    expect(deletes).toMatch(/-letters-/);
    // It sends no email and touches no workflow.
    const all = JSON.stringify(statements);
    expect(all).not.toMatch(/ses:|states:/);
  });

  it('ReportMonths: a daily schedule after retention invoking one function that may update only report-month items, nag clean', () => {
    const template = alone((stack, { refs, functions }) => {
      new ReportMonths(stack, 'ReportMonths', { prefix, functions, table: refs.table });
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: `${prefix}-report-months`,
      ScheduleExpression: 'cron(30 7 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => /reportmonths/i.test(JSON.stringify(policy.Properties.Roles)))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const dynamo = statements.flatMap((statement) =>
      [statement.Action].flat().filter((action: string) => action.startsWith('dynamodb:')),
    );
    // Reads, and one write action: UpdateItem, on the report-month items only.
    const writes = dynamo.filter((action) => /Put|Update|Delete|BatchWrite|TransactWrite/.test(action));
    expect(writes).toEqual(['dynamodb:UpdateItem']);
    expect(dynamo).toContain('dynamodb:Query');
    const update = statements.find((statement) => statement.Action === 'dynamodb:UpdateItem');
    expect(update.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REPORTMONTH#*'] },
    });
    // The table is encrypted with the customer-managed data key: a write needs the key's encrypt half too.
    const kms = statements.filter((statement) =>
      [statement.Action].flat().some((action: string) => action.startsWith('kms:')),
    );
    expect(kms.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:GenerateDataKey*',
      'kms:ReEncrypt*',
    ]);
    for (const statement of kms) expect(JSON.stringify(statement.Resource)).toMatch(/DataKey/);
    // No bucket, no mail, no workflow.
    expect(JSON.stringify(statements)).not.toMatch(/s3:|ses:|states:/);
  });

  it('StaffDirectory: a public client with the authorization code flow only, nag clean', () => {
    const template = alone((stack) => {
      new StaffDirectory(stack, 'StaffDirectory', { prefix, appUrl: 'https://complaints.example.org' });
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://complaints.example.org/staff/callback'],
    });
  });

  it('ComplaintApi: every route with its function, nag clean', () => {
    const template = alone((stack, { refs, functions }) => {
      const api = new ComplaintApi(stack, 'ComplaintApi', { prefix, providerName: 'Test', key: refs.key });
      const staff = new StaffDirectory(stack, 'StaffDirectory', { prefix, appUrl: api.url });
      const workflow = new ComplaintWorkflow(stack, 'ComplaintWorkflow', {
        prefix,
        providerName: 'Test',
        key: refs.key,
        functions,
        tracing: false,
      });
      api.addRoutes(ALL_ROUTES, {
        functions,
        workflow,
        staff,
        attachments: refs.attachments,
        inboundEmail: refs.inboundEmail,
        letters: refs.letters,
      });
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', ALL_ROUTES.length);
  });
});

describe('the stacks', { timeout: SYNTH_TIMEOUT }, () => {
  it('build nothing inline: every resource belongs to a capability (or the operations construct)', () => {
    // Prepare: WAF on, so the edge stack and the CloudFront distribution are built too.
    const dir = mkdtempSync(join(tmpdir(), 'cdk-wiring-'));
    const profile = join(dir, 'waf-homes.json');
    writeFileSync(profile, JSON.stringify({ ...provider.profile, id: 'waf-homes', features: { waf: true } }));
    const app = new App({ outdir: join(dir, 'out'), context: { 'aws:cdk:bundling-stacks': [] } });

    // Act
    const built = buildApp(
      { provider: profile, account: '123456789012', region: 'eu-west-2', inboundEmailDomain: 'example.org' },
      app,
    );

    // Assess
    for (const stack of [built.data, built.workflow, built.edge]) {
      const inline = (stack?.node.children ?? []).filter(
        (child) =>
          !(child instanceof Capability || child instanceof Operations || child instanceof CfnOutput) &&
          child.node.findAll().some((construct) => CfnResource.isCfnResource(construct)),
      );
      expect(inline.map((child) => child.node.path)).toEqual([]);
    }
    expect(built.edge).toBeDefined();
  });
});

describe('the profile check at deploy', { timeout: SYNTH_TIMEOUT }, () => {
  /** The workflow stack's profile checks and functions, built (not bundled) with this profile. */
  function checksWith(profile: typeof provider.profile) {
    const dir = mkdtempSync(join(tmpdir(), 'cdk-profile-check-'));
    const file = join(dir, `${profile.id}.json`);
    writeFileSync(file, JSON.stringify(profile));
    const app = new App({ outdir: join(dir, 'out'), context: { 'aws:cdk:bundling-stacks': [] } });
    const template = Template.fromStack(buildApp({ provider: file }, app).workflow);
    return {
      checks: template.findResources('Custom::ProfileCheck'),
      functions: template.findResources('AWS::Lambda::Function'),
    };
  }

  it('re-runs when a deploy changes the profile (the fingerprint in its properties changes), before and after every function', () => {
    // Prepare
    const holiday = {
      ...provider.profile,
      calendar: {
        ...provider.profile.calendar,
        extraBankHolidays: [{ date: '2026-03-11', reason: 'Announced bank holiday' }],
      },
    };

    // Act
    const before = checksWith(provider.profile);
    const after = checksWith(holiday);

    // Assess: the same two resources, whose properties change with the profile, so CloudFormation updates them.
    expect(Object.keys(after.checks)).toEqual(Object.keys(before.checks));
    const fingerprints = (checks: typeof before.checks) =>
      Object.values(checks).map((check) => [check.Properties.pass, check.Properties.profileFingerprint]);
    expect(fingerprints(before.checks)).toEqual([
      ['record', profileFingerprint(provider.profile)],
      ['apply', profileFingerprint(provider.profile)],
    ]);
    expect(fingerprints(after.checks)).toEqual([
      ['record', profileFingerprint(holiday)],
      ['apply', profileFingerprint(holiday)],
    ]);
    expect(profileFingerprint(holiday)).not.toBe(profileFingerprint(provider.profile));
    // Every function of the service but send-digest waits for the record pass; the apply pass waits for all.
    const [recordId, apply] = [Object.keys(after.checks)[0], Object.values(after.checks)[1]];
    const digest = Object.entries(after.functions).find(
      ([, fn]) => fn.Properties.FunctionName === `${prefix}-send-digest`,
    )?.[0];
    const others = Object.entries(after.functions).filter(([id]) => id !== digest);
    expect(others.length).toBeGreaterThanOrEqual(14);
    for (const [, fn] of others) expect(fn.DependsOn).toContain(recordId);
    expect(apply?.DependsOn).toEqual(expect.arrayContaining(others.map(([id]) => id)));
  });
});

describe('DataBackup', { timeout: SYNTH_TIMEOUT }, () => {
  it('backs up the table and the three data buckets daily and monthly, for the longest retention, into a vault under the data key, nag clean', () => {
    // Prepare: letters kept 10 years, longer than any other kind
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-backup-')) });
    const profile = { ...provider.profile, retention: { ...provider.profile.retention, letters: 10 } };
    const data = new DataStack(app, 'Data', { ...provider, profile });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

    // Act
    app.synth();
    const template = Template.fromStack(data);

    // Assess
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BackupVaultName: `${prefix}-backups`,
        EncryptionKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] },
      }),
    });
    const [plan] = Object.values(template.findResources('AWS::Backup::BackupPlan'));
    const rules = plan?.Properties.BackupPlan.BackupPlanRule;
    expect(
      rules.map((rule: { RuleName: string; ScheduleExpression: string; Lifecycle: unknown }) => [
        rule.RuleName,
        rule.ScheduleExpression,
        rule.Lifecycle,
      ]),
    ).toEqual([
      ['Daily', 'cron(0 3 * * ? *)', { DeleteAfterDays: 35 }],
      ['Monthly', 'cron(0 3 1 * ? *)', { DeleteAfterDays: 3653 }],
    ]);
    // The inbound bucket's expiry is a safety net behind the retention job: raw email retention (6) + 2 years.
    const inbound = Object.values(template.findResources('AWS::S3::Bucket')).find((bucket) =>
      JSON.stringify(bucket.Properties.BucketName).includes('-inbound-'),
    );
    expect(inbound?.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(Math.ceil(8 * 365.25));
    const [selection] = Object.values(template.findResources('AWS::Backup::BackupSelection'));
    const resources = JSON.stringify(selection?.Properties.BackupSelection.Resources);
    const logicalId = (type: string, name: string) =>
      Object.entries(template.findResources(type)).find(([, resource]) =>
        JSON.stringify(resource.Properties).includes(name),
      )?.[0];
    const table = logicalId('AWS::DynamoDB::Table', `${prefix}-cases`);
    expect(table).toBeDefined();
    expect(resources).toContain(`"${table}","Arn"`);
    for (const bucket of ['letters', 'attachments', 'inbound']) {
      const id = logicalId('AWS::S3::Bucket', `${prefix}-${bucket}-`);
      expect(id, bucket).toBeDefined();
      expect(resources).toContain(`"${id}","Arn"`);
      // AWS Backup refuses an unversioned bucket.
      expect(template.toJSON().Resources[id as string].Properties.VersioningConfiguration).toEqual({
        Status: 'Enabled',
      });
    }
  });

  it('keeps monthly backups 6 years (2,192 days) when the profile sets no retention', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-backup-')) });
    const template = Template.fromStack(new DataStack(app, 'Data', provider));
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: Match.objectLike({
        BackupPlanRule: Match.arrayWith([
          Match.objectLike({ RuleName: 'Monthly', Lifecycle: { DeleteAfterDays: 2192 } }),
        ]),
      }),
    });
  });
});
