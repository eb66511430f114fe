import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { ALL_ROUTES } from '#functions/routes.ts';
import { lintProfile } from '#shared/policy/lint.ts';
import { listPresetIds, loadProfile } from '#shared/policy/load-profile.ts';
import { buildApp } from '../../infra/app.ts';
import {
  ESBUILD_TARGET,
  HouseFunction,
  POWERTOOLS_LAYER,
  TRACE_SDK_CALLS_CONTEXT,
} from '../../infra/constructs/house-function.ts';
import { substitutionNames } from '../../infra/local/local-step-functions.ts';
import { providerContext } from '../../infra/provider-context.ts';
import { ASL_FILE, WORKFLOW_TASKS } from '../../infra/stacks/workflow-stack.ts';

// A synth bundles every function with esbuild: tens of seconds on a busy 2-core machine.
const SYNTH_TIMEOUT = 240_000;

const outdir = () => mkdtempSync(join(tmpdir(), 'cdk-test-'));

function synth(provider: string) {
  const built = buildApp({ provider, outdir: outdir() });
  built.app.synth();
  return {
    data: Template.fromStack(built.data),
    workflow: Template.fromStack(built.workflow),
    prefix: `complaints-${loadProfile(provider).id}`,
  };
}

/** Every xray: action the template's policies grant, once per statement. */
const xrayActions = (template: Template): string[] =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .flatMap((statement) => [statement.Action].flat())
    .filter((action: string) => action.startsWith('xray:'));

const compliant = listPresetIds().filter((id) => lintProfile(loadProfile(id)).compliant);
const nonCompliant = listPresetIds().filter((id) => !lintProfile(loadProfile(id)).compliant);

describe('CDK app', () => {
  const baseline = synth('code-baseline');
  const { data, workflow, prefix } = baseline;

  it.each(compliant)(
    'synthesises %s with cdk-nag AwsSolutions clean',
    (id) => {
      if (id === 'code-baseline') return;
      expect(() => synth(id)).not.toThrow();
    },
    SYNTH_TIMEOUT,
  );

  it.each(nonCompliant)(
    'refuses to synthesise %s, which departs from the Code unexplained',
    (id) => {
      expect(() => buildApp({ provider: id, outdir: outdir() })).toThrow(
        /departs from the Code without an explanation[\s\S]*✗ \[/,
      );
    },
    SYNTH_TIMEOUT,
  );

  it('keeps the case table encrypted with the data key, recoverable and protected', () => {
    data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: `${prefix}-cases`,
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: 'gsi1' })]),
      }),
    });
    data.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('blocks public access, requires TLS, encrypts with KMS and versions every data bucket', () => {
    const buckets = data.findResources('AWS::S3::Bucket');
    const dataBuckets = Object.values(buckets).filter((bucket) =>
      JSON.stringify(bucket.Properties.BucketName).match(/-inbound-|attachments|letters/),
    );
    expect(dataBuckets).toHaveLength(3);
    for (const bucket of dataBuckets) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            expect.objectContaining({
              ServerSideEncryptionByDefault: expect.objectContaining({ SSEAlgorithm: 'aws:kms' }),
            }),
          ],
        },
        LifecycleConfiguration: { Rules: expect.any(Array) },
      });
    }
    const policies = Object.values(data.findResources('AWS::S3::BucketPolicy'));
    for (const policy of policies) {
      expect(JSON.stringify(policy)).toMatch(/"aws:SecureTransport":"false"/);
    }
  });

  it("expires only SES's inbound/ objects, so the copies a legal hold keeps under held/ outlive the expiry", () => {
    const inbound = Object.values(data.findResources('AWS::S3::Bucket')).find((bucket) =>
      JSON.stringify(bucket.Properties.BucketName).includes('-inbound-'),
    );
    const rules = inbound?.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
    const expiring = rules.filter((rule) => rule.ExpirationInDays !== undefined);
    expect(expiring).toEqual([
      expect.objectContaining({
        Prefix: 'inbound/',
        ExpirationInDays: expect.any(Number),
        Status: 'Enabled',
      }),
    ]);
    expect(rules).toContainEqual(
      expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
    );
  });

  it('sends the inbound bucket events to EventBridge, whose rule hands inbound/ objects to email intake', () => {
    const inbound = Object.values(data.findResources('AWS::S3::Bucket')).find((bucket) =>
      JSON.stringify(bucket.Properties.BucketName).includes('-inbound-'),
    );
    expect(inbound?.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    workflow.hasResourceProperties('AWS::Events::Rule', {
      Name: `${prefix}-inbound-email`,
      EventPattern: Match.objectLike({
        detail: Match.objectLike({ object: { key: [{ prefix: 'inbound/' }] } }),
      }),
    });
  });

  it('builds every function the house way: ESM on ARM64, nodejs24.x, its own role and log group', () => {
    // nodejs22.x is deprecated on 30 April 2027; the bundle targets the same Node as the runtime.
    expect(ESBUILD_TARGET).toBe('node24');
    const functions = workflow.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions).length).toBeGreaterThanOrEqual(14);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogGroup: expect.anything() },
      });
      expect(String(fn.Properties.FunctionName)).toMatch(new RegExp(`^${prefix}-`));
    }
    for (const group of Object.values(workflow.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(180);
      expect(group.Properties.KmsKeyId).toBeDefined();
    }
    expect(JSON.stringify(workflow.findResources('AWS::IAM::Role'))).not.toMatch(
      /AWSLambdaBasicExecutionRole/,
    );
  });

  it('has the functions and alarms the docs count', () => {
    const functions = Object.keys(workflow.findResources('AWS::Lambda::Function')).length;
    const alarms = Object.keys(workflow.findResources('AWS::CloudWatch::Alarm')).length;
    const doc = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');
    expect(doc('deployment.md')).toContain(`| ${functions} Lambda functions \`complaints-<id>-*\``);
    const operations = doc('operations.md');
    expect(operations).toContain(`That makes ${alarms} alarms, two for each of the ${functions} functions`);
    expect(operations).toMatch(new RegExp(`\\| \`<function>-errors\` \\(${functions}\\) +\\|`));
    expect(operations).toMatch(new RegExp(`\\| \`<function>-throttles\` \\(${functions}\\) \\|`));
  });

  it('traces nothing by default: no active tracing, no X-Ray on the state machine, no xray action in any role, no Powertools layer, no TRACE_SDK_CALLS (ADR 0015, ADR 0020)', () => {
    const functions = Object.values(workflow.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(10);
    for (const fn of functions) {
      expect(fn.Properties.TracingConfig).toBeUndefined();
      expect(fn.Properties.Layers).toBeUndefined();
      expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('TRACE_SDK_CALLS');
    }
    const [machine] = Object.values(workflow.findResources('AWS::StepFunctions::StateMachine'));
    expect(machine?.Properties.TracingConfiguration).toEqual({ Enabled: false });
    expect(xrayActions(workflow)).toEqual([]);
    expect(JSON.stringify(workflow.findParameters('*'))).not.toContain('/aws/service/powertools/');
  });

  it(
    "with the profile's features.xrayTracing, traces every function and the state machine and grants them X-Ray, cdk-nag clean",
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'xray-'));
      const path = join(dir, 'traced-homes.json');
      const baseline = loadProfile('code-baseline');
      writeFileSync(
        path,
        JSON.stringify({
          ...baseline,
          id: 'traced-homes',
          features: { ...baseline.features, xrayTracing: true },
        }),
      );
      const app = new App({ outdir: outdir(), context: { 'aws:cdk:bundling-stacks': [] } });
      const built = buildApp({ provider: path }, app);
      expect(() => app.synth()).not.toThrow();
      const traced = Template.fromStack(built.workflow);
      const functions = Object.values(traced.findResources('AWS::Lambda::Function'));
      expect(functions.length).toBeGreaterThan(10);
      for (const fn of functions) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      const [machine] = Object.values(traced.findResources('AWS::StepFunctions::StateMachine'));
      expect(machine?.Properties.TracingConfiguration).toEqual({ Enabled: true });
      // Each function's role and the state machine's.
      const actions = xrayActions(traced);
      expect(actions.filter((action) => action === 'xray:PutTraceSegments')).toHaveLength(
        functions.length + 1,
      );
      expect(new Set(actions)).toEqual(
        new Set([
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
        ]),
      );
    },
    SYNTH_TIMEOUT,
  );

  it('refuses -c traceSdkCalls=true without features.xrayTracing, saying what to set', () => {
    const app = new App({
      outdir: outdir(),
      context: { [TRACE_SDK_CALLS_CONTEXT]: 'true', 'aws:cdk:bundling-stacks': [] },
    });
    expect(
      () =>
        new HouseFunction(new Stack(app, 'Untraced'), 'Assets', {
          module: 'web/assets',
          name: 'web-assets',
          prefix: 'complaints-untraced',
          description: 'Static files',
          profilePath: providerContext('code-baseline').profilePath,
          logKey: new kms.Key(new Stack(app, 'Keys'), 'Key'),
        }),
    ).toThrow(
      /recorded only with X-Ray active tracing: set "features": \{ "xrayTracing": true \} in the provider profile/,
    );
  });

  it('with -c traceSdkCalls=true, gives a function TRACE_SDK_CALLS and the Powertools layer of the locked tracer version, found through its public SSM parameter', () => {
    const tracer = JSON.parse(
      readFileSync(
        new URL('../../node_modules/@aws-lambda-powertools/tracer/package.json', import.meta.url),
        'utf8',
      ),
    ) as { version: string };
    const app = new App({
      outdir: outdir(),
      context: { [TRACE_SDK_CALLS_CONTEXT]: 'true', 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new Stack(app, 'Traced');
    new HouseFunction(stack, 'Assets', {
      module: 'web/assets',
      name: 'web-assets',
      prefix: 'complaints-traced',
      description: 'Static files',
      profilePath: providerContext('code-baseline').profilePath,
      logKey: new kms.Key(stack, 'Key'),
      tracing: true,
    });
    const template = Template.fromStack(stack);
    const [parameter, ...others] = Object.entries(template.findParameters('*')).filter(
      ([, { Default }]) => Default === `/aws/service/powertools/typescript/generic/all/${tracer.version}`,
    );
    expect(others).toEqual([]);
    expect(parameter?.[1].Type).toBe('AWS::SSM::Parameter::Value<String>');
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(1);
    for (const fn of functions) {
      expect(fn.Properties.Layers).toEqual([{ Ref: parameter?.[0] }]);
      expect(fn.Properties.Environment.Variables.TRACE_SDK_CALLS).toBe('true');
    }
    expect(POWERTOOLS_LAYER.packages).toEqual(['@aws-lambda-powertools/tracer']);
  });

  it('gives every function the configuration its cold start requires', () => {
    for (const [id, fn] of Object.entries(workflow.findResources('AWS::Lambda::Function'))) {
      // The static-files function reads no configuration and has no data access at all.
      if (String(fn.Properties.FunctionName).endsWith('-web-assets')) {
        expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('TABLE_NAME');
        continue;
      }
      const variables = Object.keys(fn.Properties.Environment?.Variables ?? {});
      for (const required of [
        'TABLE_NAME',
        'PROVIDER_PROFILE_FILE',
        'APP_SECRET_ARN',
        'RESIDENT_BASE_URL',
        'STAFF_BASE_URL',
        'STAFF_ALERT_EMAILS',
      ]) {
        expect(variables, `${id} ${required}`).toContain(required);
      }
    }
    const starters = Object.values(workflow.findResources('AWS::Lambda::Function')).filter((fn) =>
      String(fn.Properties.FunctionName).match(/submit-complaint/),
    );
    for (const fn of starters) {
      expect(JSON.stringify(fn.Properties.Environment.Variables.STATE_MACHINE_ARN)).toMatch(/:live"?\]?/);
    }
  });

  it('lets the resident pages and email intake store attachments, only the staff console and subject access read them, and the retention job and erasure delete them', () => {
    const functions = Object.values(workflow.findResources('AWS::Lambda::Function'));
    const withBucket = functions.filter((fn) => fn.Properties.Environment?.Variables?.ATTACHMENTS_BUCKET);
    expect(withBucket.map((fn) => fn.Properties.FunctionName).sort()).toEqual([
      `${prefix}-email-intake`,
      `${prefix}-erasure-decision`,
      `${prefix}-retention`,
      `${prefix}-web-records`,
      `${prefix}-web-resident`,
      `${prefix}-web-staff`,
    ]);
    const statementsOf = (name: string) =>
      Object.entries(workflow.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.includes(name))
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
        .filter((statement) => JSON.stringify(statement.Resource).includes('-attachments-'));
    const actionsOf = (name: string) => statementsOf(name).flatMap((statement) => [statement.Action].flat());
    expect(actionsOf('webstaff')).toEqual(['s3:GetObject']);
    // The records pages read files for subject access and delete them for a granted erasure; the erasure API deletes.
    expect(actionsOf('webrecords').sort()).toEqual(['s3:DeleteObject', 's3:GetObject']);
    expect(actionsOf('erasuredecision')).toEqual(['s3:DeleteObject']);
    for (const storer of ['webresident', 'emailintake']) {
      expect(actionsOf(storer), storer).toContain('s3:PutObject');
      expect(actionsOf(storer), storer).not.toContain('s3:GetObject');
    }
    const retention = Object.entries(workflow.findResources('AWS::IAM::Policy'))
      .filter(([id]) => /retention/i.test(id))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => JSON.stringify(statement.Resource).includes('-attachments-'))
      .flatMap((statement) => [statement.Action].flat());
    expect(retention).toEqual(['s3:DeleteObject']);
    const others = JSON.stringify(
      Object.entries(workflow.findResources('AWS::IAM::Policy')).filter(
        ([id]) =>
          !/retention/i.test(id) &&
          !['webresident', 'webstaff', 'webrecords', 'emailintake', 'erasuredecision'].some((name) =>
            id.includes(name),
          ),
      ),
    );
    expect(others).not.toContain('-attachments-');
  });

  it('gives each function only the data access its code uses', () => {
    type Statement = { Action: string | string[]; Resource: unknown };
    const byRole = new Map<string, Statement[]>();
    for (const policy of Object.values(workflow.findResources('AWS::IAM::Policy'))) {
      for (const role of policy.Properties.Roles as Array<{ Ref: string }>) {
        byRole.set(role.Ref, [
          ...(byRole.get(role.Ref) ?? []),
          ...policy.Properties.PolicyDocument.Statement,
        ]);
      }
    }
    const grants = Object.fromEntries(
      Object.values(workflow.findResources('AWS::Lambda::Function')).map((fn) => [
        String(fn.Properties.FunctionName).slice(prefix.length + 1),
        byRole.get(fn.Properties.Role['Fn::GetAtt'][0]) ?? [],
      ]),
    );
    const actions = (name: string, on?: RegExp) =>
      (grants[name] ?? [])
        .filter((statement) => !on || on.test(JSON.stringify(statement.Resource)))
        .flatMap((statement) => [statement.Action].flat());
    const touches = (name: string, what: RegExp) => JSON.stringify(grants[name] ?? []).match(what) !== null;
    const tasks = WORKFLOW_TASKS.map((task) => task.name);
    const readers = ['staff-queries-queue', 'staff-queries-search'];
    for (const name of [...tasks, 'send-digest', ...readers]) expect(Object.keys(grants)).toContain(name);

    // Every workflow step settles the letters its case owes before it returns (issue 12 removed the letters
    // state visited after each step), by email or stored for posting: each has both grants, and the variables
    // its adapters are built from. Granted nothing else: no attachments, no HTTP origin.
    const environment = Object.fromEntries(
      Object.values(workflow.findResources('AWS::Lambda::Function')).map((fn) => [
        String(fn.Properties.FunctionName).slice(prefix.length + 1),
        Object.keys(fn.Properties.Environment?.Variables ?? {}),
      ]),
    );
    for (const task of WORKFLOW_TASKS) {
      expect(task.uses, task.name).toMatchObject({ letters: true, mail: true });
      expect(actions(task.name), task.name).toContain('ses:SendEmail');
      expect(actions(task.name, /-letters-/), task.name).toContain('s3:PutObject');
      expect(environment[task.name], task.name).toEqual(
        expect.arrayContaining(['LETTERS_BUCKET', 'SES_CONFIGURATION_SET']),
      );
    }
    for (const name of [...tasks, 'send-digest']) {
      expect(touches(name, /-attachments-/), name).toBe(false);
      expect(touches(name, /OriginVerify|origin/i), name).toBe(false);
    }
    // Only the functions that send email may send it: the workflow steps (letters, staff alerts), the daily run
    // (digests, and letters for dates a profile change moved later) and email-intake (it tells the assignee of a
    // reply). ses-events records a bounce and posts the letter instead: it sends nothing.
    const senders = [
      ...WORKFLOW_TASKS.filter((task) => task.uses.mail).map((task) => task.name),
      'send-digest',
      'email-intake',
    ];
    for (const name of Object.keys(grants)) {
      expect(actions(name).includes('ses:SendEmail'), name).toBe(senders.includes(name));
    }
    // Letters for post are stored by the workflow steps, by ses-events (a bounced email posted) and by the daily
    // run (a date a profile change moved later), and deleted by the retention job once the case's letters are
    // past retention, or by a granted erasure (the erasure API and the records pages), which may only delete them.
    const posters = [
      ...WORKFLOW_TASKS.filter((task) => task.uses.letters).map((task) => task.name),
      'ses-events',
      'send-digest',
      'retention',
      'erasure-decision',
      'web-records',
    ];
    for (const name of Object.keys(grants)) {
      expect(touches(name, /-letters-/), name).toBe(posters.includes(name));
    }
    // The daily run only adds letters: it reads, lists and deletes none.
    expect(actions('send-digest', /-letters-/)).toContain('s3:PutObject');
    expect(actions('send-digest', /-letters-/).filter((action) => !/^s3:(Put|Abort)/.test(action))).toEqual(
      [],
    );
    for (const name of ['retention', 'erasure-decision', 'web-records']) {
      expect(actions(name, /-letters-/).sort(), name).toEqual(['s3:DeleteObject', 's3:ListBucket']);
    }
    // ses-events reads and writes the case and nothing else of the workflow's: no execution, no callback.
    expect(actions('ses-events').filter((action) => action.startsWith('states:'))).toEqual([]);
    // The subject access export records itself on each case: the table, no execution, no callback, no bucket.
    expect(actions('subject-access-export')).toContain('dynamodb:UpdateItem');
    expect(actions('subject-access-export').filter((action) => action.startsWith('states:'))).toEqual([]);
    expect(touches('subject-access-export', /-attachments-|-letters-|-inbound-/)).toBe(false);
    const writes =
      /^(dynamodb:(Put|Update|Delete|BatchWrite|TransactWrite)|states:|s3:|ses:|kms:(Encrypt|GenerateDataKey|ReEncrypt))/;
    // The report months' build reads the table and updates the report-month items only: no case, bucket,
    // mail or workflow.
    // The data key's encrypt half goes with its UpdateItem (the table is encrypted with that key).
    const keyWrites = ['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
    expect(actions('report-months', /DataKey/)).toEqual(expect.arrayContaining(keyWrites));
    expect(
      actions('report-months').filter(
        (action) => writes.test(action) && action !== 'dynamodb:UpdateItem' && !keyWrites.includes(action),
      ),
    ).toEqual([]);
    expect(JSON.stringify(grants['report-months'])).toContain('REPORTMONTH#*');
    expect(touches('report-months', /-attachments-|-letters-|-inbound-/)).toBe(false);
    // Read-only routes read the table and its indexes, and can change nothing anywhere.
    for (const name of readers) {
      expect(
        actions(name).filter((action) => writes.test(action)),
        name,
      ).toEqual([]);
      expect(actions(name, /-cases/), name).toContain('dynamodb:Query');
    }
    // The page functions (the complaint form, staff actions, reports) write cases but send no mail and store
    // no letters; the sign-in only reads. Only the pages that start complaints or act on tasks touch the
    // workflow, and only the staff pages are told where staff sessions come from.
    const pages = ['web-resident', 'web-sign-in', 'web-staff', 'web-case', 'web-reports', 'web-records'];
    for (const name of pages) {
      expect(Object.keys(grants), name).toContain(name);
      expect(actions(name).includes('dynamodb:PutItem'), name).toBe(name !== 'web-sign-in');
      expect(touches(name, /-letters-/), name).toBe(name === 'web-records');
      expect(
        actions(name).some((action) => action.startsWith('states:')),
        name,
      ).toBe(['web-resident', 'web-staff', 'web-case'].includes(name));
    }
    const functions = Object.values(workflow.findResources('AWS::Lambda::Function'));
    const signInConfigured = functions
      .filter((fn) => fn.Properties.Environment?.Variables?.COGNITO_CLIENT_ID)
      .map((fn) => String(fn.Properties.FunctionName).slice(prefix.length + 1));
    expect(signInConfigured.sort()).toEqual([
      'web-case',
      'web-records',
      'web-reports',
      'web-sign-in',
      'web-staff',
    ]);
    // Raw inbound email: email intake reads and deletes it; the staff console only downloads it (a case's
    // emails and held email, as received); the retention job and a granted erasure (its API and the records
    // pages) only delete it; what records a legal hold (the case page, the case events API) reads it to copy it;
    // nothing else touches it.
    const inboundReaders = Object.keys(grants).filter((name) => touches(name, /-inbound-/));
    expect(inboundReaders.sort()).toEqual([
      'email-intake',
      'erasure-decision',
      'retention',
      'staff-actions-caseaction',
      'web-case',
      'web-records',
      'web-staff',
    ]);
    const received = /"\/inbound\/\*"/;
    const held = /"\/held\/\*"/;
    expect(actions('email-intake', received)).toEqual(['s3:GetObject', 's3:DeleteObject']);
    expect(actions('web-staff', received)).toEqual(['s3:GetObject']);
    expect(actions('web-case', received)).toEqual(['s3:GetObject']);
    expect(actions('staff-actions-caseaction', received)).toEqual(['s3:GetObject']);
    // The copies a legal hold keeps under held/: made by what records a hold or a reply to a held case,
    // downloaded by the console once the original expired, deleted with the case by retention or an erasure.
    // What records a hold or a reply to a held case also deletes the copies it wrote when the case was
    // anonymised meanwhile (the hold refused, or the reply's copy written after the anonymisation's deletions).
    expect(actions('email-intake', held)).toEqual(['s3:PutObject', 's3:DeleteObject']);
    expect(actions('web-staff', held)).toEqual(['s3:GetObject', 's3:PutObject', 's3:DeleteObject']);
    expect(actions('web-case', held)).toEqual(['s3:PutObject', 's3:DeleteObject']);
    expect(actions('staff-actions-caseaction', held)).toEqual(['s3:PutObject', 's3:DeleteObject']);
    for (const name of ['retention', 'erasure-decision', 'web-records']) {
      expect(actions(name, received), name).toEqual(['s3:DeleteObject']);
      expect(actions(name, held), name).toEqual(['s3:DeleteObject']);
    }
    // The erasure API records on the case and deletes its files: no execution, no callback.
    expect(actions('erasure-decision').filter((action) => action.startsWith('states:'))).toEqual([]);
  });

  it('lets every function that completes callbacks do so on the state machine, its versions and aliases', () => {
    // Step Functions authorises SendTask* against the state machine's ARN, and an execution started on
    // the alias runs a published version: a grant on the alias alone would fail after a deploy.
    const machineArn = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${prefix}-complaint`;
    const callbackStatements = Object.values(workflow.findResources('AWS::IAM::Policy'))
      .flatMap(
        (policy) =>
          policy.Properties.PolicyDocument.Statement as Array<{
            Action: string | string[];
            Resource: unknown;
          }>,
      )
      .filter((statement) => [statement.Action].flat().includes('states:SendTaskSuccess'));
    // register-task, the staff API routes and the web pages.
    expect(callbackStatements.length).toBeGreaterThanOrEqual(3);
    for (const statement of callbackStatements) {
      expect([statement.Action].flat()).toContain('states:SendTaskFailure');
      const resources = [statement.Resource].flat().map((resource) => {
        const joined = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
        return joined
          ? joined[1]
              .map((part) =>
                typeof part === 'string' ? part : `\${${String(Object.values(part as object)[0])}}`,
              )
              .join(joined[0])
          : String(resource);
      });
      expect(resources).toEqual(expect.arrayContaining([machineArn, `${machineArn}:*`]));
    }
  });

  it('grants no wildcard actions on data', () => {
    const statements = Object.values(workflow.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>,
    );
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions).not.toContain('*');
    expect(actions.filter((action) => /^(dynamodb|s3|kms|secretsmanager|states):\*$/.test(action))).toEqual(
      [],
    );
  });

  it('puts the Cognito authorizer on every staff route and none on resident routes', () => {
    const routes = Object.values(workflow.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties,
    );
    expect(routes).toHaveLength(ALL_ROUTES.length);
    for (const route of ALL_ROUTES) {
      const found = routes.find((candidate) => candidate.RouteKey === `${route.method} ${route.path}`);
      expect(found, route.path).toBeDefined();
      expect(found?.AuthorizationType, route.path).toBe(route.access === 'staff' ? 'JWT' : 'NONE');
    }
    workflow.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      UserPoolTier: 'PLUS',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    for (const group of ['handler', 'reviewer', 'manager', 'admin']) {
      workflow.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: group });
    }
    workflow.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
  });

  it('runs a Standard state machine whose substitutions cover every substitution in the ASL', () => {
    const [machine] = Object.values(workflow.findResources('AWS::StepFunctions::StateMachine'));
    expect(machine?.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      StateMachineName: `${prefix}-complaint`,
      TracingConfiguration: { Enabled: false },
      LoggingConfiguration: { IncludeExecutionData: false, Level: 'ALL' },
    });
    const asl = readFileSync(ASL_FILE, 'utf8');
    expect(Object.keys(machine?.Properties.DefinitionSubstitutions ?? {}).sort()).toEqual(
      substitutionNames(asl),
    );
    workflow.resourceCountIs('AWS::StepFunctions::StateMachineAlias', 1);
  });

  it('records SES bounces and complaints, and alarms on failures, breaches, errors, dead letters (SES events, inbound email) and bounce rate', () => {
    workflow.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']) }),
    });
    const alarms = Object.values(workflow.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties.AlarmName,
    );
    for (const name of [
      'executions-failed',
      'executions-timed-out',
      'deadline-breaches',
      'dead-letters-1',
      'dead-letters-2',
      'email-intake-errors',
      'ses-bounce-rate',
    ]) {
      expect(alarms).toContain(`${prefix}-${name}`);
    }
    expect(alarms.filter((name) => String(name).endsWith('-errors')).length).toBeGreaterThanOrEqual(14);
    // Callbacks Step Functions refused, owed or not even marked: the embedded metric the use case counts.
    const owed = Object.values(workflow.findResources('AWS::CloudWatch::Alarm')).find(
      (alarm) => alarm.Properties.AlarmName === `${prefix}-callbacks-owed`,
    );
    expect(owed?.Properties).toMatchObject({ Threshold: 1, EvaluationPeriods: 1 });
    const metrics = ((owed?.Properties.Metrics ?? []) as Array<{ MetricStat?: { Metric: unknown } }>)
      .flatMap((query) => (query.MetricStat ? [query.MetricStat.Metric] : []))
      .map((metric) => JSON.stringify(metric));
    expect(metrics).toHaveLength(2);
    for (const outcome of ['owed', 'unmarked']) {
      expect(metrics.some((metric) => metric.includes(`{"Name":"Outcome","Value":"${outcome}"}`))).toBe(true);
    }
    expect(metrics.every((metric) => metric.includes('"MetricName":"CallbackOwed"'))).toBe(true);
    expect(metrics.every((metric) => metric.includes(`"Namespace":"${prefix}"`))).toBe(true);
    workflow.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.message = "Deadline breached" }',
    });
    workflow.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('sends the digest of new tasks from a schedule at 08:00 London time on weekdays, invoking one function', () => {
    // The other schedules are the retention job's and the report months' (their own tests are in
    // constructs.test.ts).
    const schedules = Object.values(workflow.findResources('AWS::Scheduler::Schedule'));
    expect(schedules.map((found) => found.Properties.Name).sort()).toEqual([
      `${prefix}-daily-digest`,
      `${prefix}-report-months`,
      `${prefix}-retention`,
    ]);
    const schedule = schedules.find(
      (found) => found.Properties.Name === `${prefix}-daily-digest`,
    )?.Properties;
    expect(schedule.ScheduleExpression).toBe('cron(0 8 ? * MON-FRI *)');
    expect(schedule.ScheduleExpressionTimezone).toBe('Europe/London');
    const digestFn = Object.entries(workflow.findResources('AWS::Lambda::Function')).find(
      ([, fn]) => fn.Properties.FunctionName === `${prefix}-send-digest`,
    );
    expect(digestFn).toBeDefined();
    expect(JSON.stringify(schedule.Target.Arn)).toContain(digestFn?.[0]);
    // The schedule's role may invoke that function and nothing else.
    const roleId = schedule.Target.RoleArn['Fn::GetAtt'][0];
    const policies = Object.values(workflow.findResources('AWS::IAM::Policy')).filter((policy) =>
      policy.Properties.Roles.some((role: { Ref?: string }) => role.Ref === roleId),
    );
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements.map((statement) => statement.Action)).toEqual(['lambda:InvokeFunction']);
    expect(JSON.stringify(statements.map((statement) => statement.Resource))).toContain(digestFn?.[0]);
  });

  it('names every named resource after the provider', () => {
    const named = [
      ...Object.values(workflow.findResources('AWS::SNS::Topic')).map((r) => r.Properties.TopicName),
      ...Object.values(workflow.findResources('AWS::SQS::Queue')).map((r) => r.Properties.QueueName),
      ...Object.values(workflow.findResources('AWS::Cognito::UserPool')).map(
        (r) => r.Properties.UserPoolName,
      ),
      ...Object.values(data.findResources('AWS::SecretsManager::Secret')).map((r) => r.Properties.Name),
    ];
    for (const name of named) expect(String(name)).toMatch(new RegExp(`^${prefix}`));
  });
});

describe('cdk CLI', () => {
  const env = (): NodeJS.ProcessEnv => {
    const home = mkdtempSync(join(tmpdir(), 'cdk-home-'));
    return {
      ...process.env,
      HOME: home,
      CDK_HOME: join(home, '.cdk'),
      TMPDIR: home,
      CDK_DISABLE_CLI_TELEMETRY: 'true',
    };
  };

  it(
    'synthesises offline without credentials',
    async () => {
      const { AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _b, AWS_PROFILE: _c, ...clean } = env();
      const result = await promisify(execFile)(
        'npx',
        ['cdk', 'synth', '-q', '--no-notices', '-c', 'provider=amplius', '-o', join(clean.HOME ?? '', 'out')],
        { env: clean },
      );
      // The CLI writes its messages to stderr, or to stdout when CI=true: check both.
      const output = `${result.stdout}\n${result.stderr}`;
      expect(output).not.toMatch(/ERROR|WARNING/);
      for (const stack of ['ComplaintsAmpliusData', 'ComplaintsAmpliusWorkflow']) {
        expect(existsSync(join(clean.HOME ?? '', 'out', `${stack}.template.json`)), stack).toBe(true);
      }
    },
    SYNTH_TIMEOUT,
  );

  it(
    'stops with the linter findings for an unexplained departure',
    async () => {
      const failure = await promisify(execFile)(
        'npx',
        [
          'cdk',
          'synth',
          '-q',
          '--no-notices',
          '-c',
          'provider=living-plus',
          '-o',
          join(tmpdir(), 'cdk-fail-out'),
        ],
        { env: env() },
      ).catch((error) => error);
      expect(failure.code).not.toBe(0);
      expect(`${failure.stdout}${failure.stderr}`).toMatch(
        /raisingWindow; found: 6 months; limit: at least 12 months/,
      );
    },
    SYNTH_TIMEOUT,
  );
});
