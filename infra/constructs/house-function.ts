import { readFileSync } from 'node:fs';
import { ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { HELD_RAW_EMAIL_PREFIX } from '#shared/domain/records.ts';
import { TRACE_SDK_CALLS } from '../../functions/lib/tracing.ts';
import { powertoolsEnvironment } from '../powertools-environment.ts';
import { INBOUND_EMAIL_PREFIX } from './data-buckets.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * The newest Node.js runtime that both Lambda and aws-cdk-lib 2.276 offer (nodejs22.x is deprecated on
 * 30 April 2027). The bundle's esbuild target follows it; the sources stay runnable on Node 20 locally.
 */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const ESBUILD_TARGET = `node${LAMBDA_RUNTIME.name.replace(/^nodejs|\.x$/g, '')}`;

export const STATE_MACHINE_ALIAS = 'live';

const TRACER_VERSION = (
  JSON.parse(readFileSync(`${ROOT}node_modules/@aws-lambda-powertools/tracer/package.json`, 'utf8')) as {
    version: string;
  }
).version;

/**
 * What a function takes from the Powertools for AWS Lambda (TypeScript) layer instead of its bundle
 * (ADR 0011): the tracer, with the X-Ray SDK it loads (about 115 KB minified in each bundle otherwise). The
 * layer is AWS's own build of the tracer version locked in package-lock.json, found at deploy through the
 * public SSM parameter AWS keeps for each release; nothing is downloaded at build time. Functions load the
 * tracer, and get the layer, only when deployed with `-c traceSdkCalls=true` (ADR 0015).
 */
export const POWERTOOLS_LAYER = {
  packages: ['@aws-lambda-powertools/tracer'],
  version: TRACER_VERSION,
  parameterName: `/aws/service/powertools/typescript/generic/all/${TRACER_VERSION}`,
} as const;

/**
 * The CDK context value that turns on the Powertools tracer (a subsegment per SDK call and per handler) in
 * every function: `npx cdk deploy -c traceSdkCalls=true`, with the profile's `features.xrayTracing` on (ADR 0020).
 * Off by default: active tracing records each invocation without it, and loading it costs every cold start
 * (ADR 0015).
 */
export const TRACE_SDK_CALLS_CONTEXT = 'traceSdkCalls';

/**
 * What every function's bundle leaves out and starts with; bench/function-bundles.ts builds with the same.
 * The AWS SDK v3 is the Lambda runtime's own copy, not bundled (ADR 0010); the tracer comes from the
 * Powertools layer (ADR 0011).
 */
export const HOUSE_FUNCTION_BUNDLING = {
  externalModules: ['@aws-sdk/*', ...POWERTOOLS_LAYER.packages],
  // ESM bundles need a require shim for the CommonJS dependencies (the X-Ray SDK).
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  // The only comments esbuild keeps by default are Powertools' coverage hints marked @preserve (no licence
  // text: checked in every bundle); about 450 bytes of each 300 KB (issue 12).
  legalComments: 'none',
} as const;

const CALLBACK_ACTIONS = ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'];

export interface HouseFunctionProps {
  /** Path under functions/, without the extension (e.g. "workflow/record-receipt"). */
  module: string;
  exportName?: string;
  /** Short name; the function is called <prefix>-<name>. */
  name: string;
  prefix: string;
  description: string;
  profilePath: string;
  logKey: kms.IKey;
  environment?: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  /**
   * Files or folders copied beside the bundle at synth (from: relative to the repository root; to: relative to
   * the bundle). Lambda has no node_modules, so anything a handler reads from disk must be copied this way.
   */
  copy?: ReadonlyArray<{ from: string; to: string }>;
  /**
   * X-Ray active tracing (profile `features.xrayTracing`, ADR 0020): a trace for each invocation not already
   * traced upstream, and the role's xray:PutTraceSegments and xray:PutTelemetryRecords.
   * @default false: no tracing configuration (PassThrough) and no X-Ray permission
   */
  tracing?: boolean;
}

/**
 * The one way this project builds a Lambda: esbuild (no Docker), ESM, ARM64, nodejs24.x, source maps, an
 * explicit encrypted log group with retention, Powertools settings, and the provider profile bundled as
 * a file beside the code (profiles are larger than Lambda's environment allows).
 */
export class HouseFunction extends Construct {
  readonly fn: NodejsFunction;
  private readonly prefix: string;
  private readonly tracing: boolean;

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    super(scope, id);
    this.prefix = props.prefix;
    this.tracing = props.tracing === true;
    const functionName = `${props.prefix}-${props.name}`;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: logs.RetentionDays.SIX_MONTHS,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Our own role, so the function can write only to its own log group (no AWS managed policy).
    const role = new iam.Role(this, 'Role', {
      roleName: functionName.slice(0, 64),
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${functionName}`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    const traceSdkCalls = String(this.node.tryGetContext(TRACE_SDK_CALLS_CONTEXT)) === 'true';
    if (traceSdkCalls && !this.tracing) {
      // The tracer's subsegments go into the invocation's X-Ray segment, which only active tracing records.
      throw new Error(
        `-c ${TRACE_SDK_CALLS_CONTEXT}=true adds X-Ray subsegments, which are recorded only with X-Ray active tracing: set "features": { "xrayTracing": true } in the provider profile too (docs/operations.md, "X-Ray tracing"), or drop -c ${TRACE_SDK_CALLS_CONTEXT}`,
      );
    }
    this.fn = new NodejsFunction(this, 'Function', {
      role,
      functionName,
      description: props.description,
      entry: `${ROOT}functions/${props.module}.ts`,
      handler: props.exportName ?? 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      logGroup,
      // Left unset when off: CDK then adds no tracing configuration and no X-Ray statement to the role.
      ...(this.tracing ? { tracing: lambda.Tracing.ACTIVE } : {}),
      layers: traceSdkCalls
        ? [
            lambda.LayerVersion.fromLayerVersionArn(
              this,
              'PowertoolsLayer',
              ssm.StringParameter.valueForStringParameter(this, POWERTOOLS_LAYER.parameterName),
            ),
          ]
        : [],
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // Embedded metrics land in one namespace per provider stack (docs/operations.md).
        ...powertoolsEnvironment(props.prefix),
        PROVIDER_PROFILE_FILE: './provider-profile.json',
        ...(traceSdkCalls ? { [TRACE_SDK_CALLS]: 'true' } : {}),
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
        minify: true,
        sourceMap: true,
        externalModules: [...HOUSE_FUNCTION_BUNDLING.externalModules],
        banner: HOUSE_FUNCTION_BUNDLING.banner,
        esbuildArgs: { '--legal-comments': HOUSE_FUNCTION_BUNDLING.legalComments },
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) => [
            `cp "${props.profilePath}" "${output}/provider-profile.json"`,
            ...(props.copy ?? []).flatMap(({ from, to }) => [
              `mkdir -p "$(dirname "${output}/${to}")"`,
              `cp -R "${ROOT}${from}" "${output}/${to}"`,
            ]),
          ],
        },
      },
    });
  }

  /**
   * The findings every house function carries, each acknowledged once here with its reason (cdk-nag).
   * Resource names are the provider's fixed names, so the acknowledgements are exact.
   */
  acknowledgeStandardFindings(): this {
    const prefix = this.prefix;
    // cdk-nag names the resource as the template has it: a pseudo parameter, or the literal account and
    // region when the stack has an explicit environment (WAF mode).
    const stack = Stack.of(this);
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    if (this.tracing) {
      Validations.of(this).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions',
      });
    }
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason:
          'CDK grant for the one customer-managed data key (resource is that key only) used by the table, secret and buckets',
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'CDK grant for the one customer-managed data key (resource is that key only)',
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Action::s3:Abort*]',
        reason:
          'Letters and attachments are uploaded with PutObject; Abort* lets the SDK abandon a failed multipart upload in those buckets only',
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${prefix}-letters-${account}/*]`,
        reason:
          'Letters are stored under per-case keys that are not known in advance; the grant is limited to the letters bucket',
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${prefix}-attachments-${account}/*]`,
        reason:
          "Residents' attachments are stored under per-complaint keys that are not known in advance; the grant is limited to the attachments bucket: put for the resident pages and email intake, get for the staff console's downloads",
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:${region}:${account}:table/${prefix}-cases/index/*]`,
        reason: "Queries on the case table's own secondary indexes (staff queue, status, contact, month)",
      },
    );
    return this;
  }

  /** Sets TABLE_NAME and grants exactly the data access asked for. */
  useTable(table: ITable, access: 'read' | 'readWrite'): this {
    this.fn.addEnvironment('TABLE_NAME', table.tableName);
    if (access === 'read') table.grantReadData(this.fn);
    else table.grantReadWriteData(this.fn);
    return this;
  }

  useSecret(secret: secrets.ISecret): this {
    this.fn.addEnvironment('APP_SECRET_ARN', secret.secretArn);
    secret.grantRead(this.fn);
    return this;
  }

  useLettersBucket(bucket: s3.IBucket): this {
    this.fn.addEnvironment('LETTERS_BUCKET', bucket.bucketName);
    bucket.grantPut(this.fn);
    return this;
  }

  /**
   * Residents' attachments: stored by the complaint form and email intake ('put'), and read back by the staff
   * downloads and evidence packs ('get').
   */
  useAttachmentsBucket(bucket: s3.IBucket, access: 'put' | 'get'): this {
    this.fn.addEnvironment('ATTACHMENTS_BUCKET', bucket.bucketName);
    if (access === 'put') {
      bucket.grantPut(this.fn);
      return this;
    }
    // Read exactly the objects (grantRead would add s3:GetObject*, s3:GetBucket* and s3:List*).
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }),
    );
    bucket.encryptionKey?.grantDecrypt(this.fn);
    return this;
  }

  /**
   * Raw inbound email under the receipt rule's prefix: read by email intake (which also deletes an infected
   * message) and by the staff download of the raw message. Exactly these objects and actions.
   */
  useInboundEmailBucket(bucket: s3.IBucket, actions: Array<'s3:GetObject' | 's3:DeleteObject'>): this {
    this.fn.addEnvironment('INBOUND_EMAIL_BUCKET', bucket.bucketName);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(`${INBOUND_EMAIL_PREFIX}*`)] }),
    );
    bucket.encryptionKey?.grantDecrypt(this.fn);
    const account = Token.isUnresolved(Stack.of(this).account) ? '<AWS::AccountId>' : Stack.of(this).account;
    Validations.of(this).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${this.prefix}-inbound-${account}/${INBOUND_EMAIL_PREFIX}*]`,
      reason:
        'SES names each stored message by its own message id, not known in advance; the grant is limited to the receipt rule prefix of the inbound bucket',
    });
    return this;
  }

  /**
   * The copies a legal hold keeps of a held case's raw email, under `held/` in the inbound bucket (outside the
   * bucket's expiry): made by whatever records a hold or a reply to a held case ('s3:PutObject'), read by the
   * staff download once the original has expired ('s3:GetObject'), deleted by the retention job with the case's
   * other raw email ('s3:DeleteObject'), and by what made a copy if the case was anonymised while it was made.
   * Exactly these objects and actions; pair with useInboundEmailBucket.
   */
  useHeldRawEmail(
    bucket: s3.IBucket,
    actions: Array<'s3:GetObject' | 's3:PutObject' | 's3:DeleteObject'>,
  ): this {
    this.fn.addEnvironment('INBOUND_EMAIL_BUCKET', bucket.bucketName);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(`${HELD_RAW_EMAIL_PREFIX}*`)] }),
    );
    if (actions.includes('s3:PutObject')) bucket.encryptionKey?.grantEncrypt(this.fn);
    const account = Token.isUnresolved(Stack.of(this).account) ? '<AWS::AccountId>' : Stack.of(this).account;
    Validations.of(this).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${this.prefix}-inbound-${account}/${HELD_RAW_EMAIL_PREFIX}*]`,
      reason:
        "A held copy is named by its original's key, which SES chose; the grant is limited to the held-copy prefix of the inbound bucket",
    });
    return this;
  }

  /**
   * Deleting a case's records (retention, a granted erasure): DeleteObject on the attachments, on the inbound
   * bucket's `inbound/` prefix and a hold's `held/` copies, and on the letters, with ListBucket on the letters to
   * find a case's letters under `<caseId>/`. Nothing is read or written.
   */
  useRecordDeletion(buckets: {
    letters: s3.IBucket;
    attachments: s3.IBucket;
    inboundEmail: s3.IBucket;
  }): this {
    this.useInboundEmailBucket(buckets.inboundEmail, ['s3:DeleteObject']);
    this.useHeldRawEmail(buckets.inboundEmail, ['s3:DeleteObject']);
    this.fn.addEnvironment('ATTACHMENTS_BUCKET', buckets.attachments.bucketName);
    this.fn.addEnvironment('LETTERS_BUCKET', buckets.letters.bucketName);
    // The buckets' objects (the standard findings acknowledge these two resources), and listing the letters.
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: [buckets.attachments.arnForObjects('*'), buckets.letters.arnForObjects('*')],
      }),
    );
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [buckets.letters.bucketArn] }),
    );
    return this;
  }

  /**
   * Grants the Step Functions actions on the named state machine by a constructed ARN, so that a function
   * the machine invokes can also complete callbacks without a dependency cycle (toolchain.md section 5).
   */
  useStateMachine(stateMachineName: string, actions: string[]): this {
    const arn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // New executions start on the "live" alias, so each deploy's published version is what they run.
    const alias = `${arn}:${STATE_MACHINE_ALIAS}`;
    this.fn.addEnvironment('STATE_MACHINE_ARN', alias);
    const callbacks = actions.filter((action) => CALLBACK_ACTIONS.includes(action));
    const others = actions.filter((action) => !CALLBACK_ACTIONS.includes(action));
    if (others.length > 0) {
      this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: others, resources: [arn, alias] }));
    }
    if (callbacks.length > 0) {
      // A task token carries no ARN: Step Functions authorises SendTask* against the state machine's own
      // ARN, even for an execution started on an alias running a published version (docs/security.md).
      // The versions and aliases are granted too, so a callback to an execution of an older version can
      // never fail with AccessDenied after a deploy.
      const versionsAndAliases = `${arn}:*`;
      this.fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: callbacks, resources: [arn, versionsAndAliases] }),
      );
      const stack = Stack.of(this);
      const partition = '<AWS::Partition>';
      const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
      const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
      Validations.of(this).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:${partition}:states:${region}:${account}:stateMachine:${stateMachineName}:*]`,
        reason:
          "SendTaskSuccess/SendTaskFailure on this state machine's versions and aliases only: an execution runs the version its alias pointed to when it started, so callbacks must work for every published version",
      });
    }
    return this;
  }
}
