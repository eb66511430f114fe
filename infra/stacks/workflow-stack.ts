import { readFileSync } from 'node:fs';
import {
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sesActions from 'aws-cdk-lib/aws-ses-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ORIGIN_VERIFY_HEADER } from '../../functions/lib/origin.ts';
import { ALL_ROUTES, type RouteDefinition } from '../../functions/routes.ts';
import { HouseFunction, STATE_MACHINE_ALIAS } from '../constructs/house-function.ts';
import { Operations } from '../constructs/operations.ts';
import type { ProviderContext } from '../provider-context.ts';
import type { DataStack } from './data-stack.ts';

export const ASL_FILE = new URL('../../statemachines/complaint.asl.json', import.meta.url);

/** The state machine's functions and the ASL substitution each one fills. */
export const WORKFLOW_TASKS = [
  { substitution: 'RecordReceiptFunctionArn', module: 'workflow/record-receipt', name: 'record-receipt' },
  {
    substitution: 'SendNotificationsFunctionArn',
    module: 'workflow/send-notifications',
    name: 'send-notifications',
  },
  { substitution: 'RegisterTaskFunctionArn', module: 'workflow/register-task', name: 'register-task' },
  { substitution: 'CheckDeadlineFunctionArn', module: 'workflow/check-deadline', name: 'check-deadline' },
  { substitution: 'CloseCaseFunctionArn', module: 'workflow/close-case', name: 'close-case' },
] as const;

export interface WorkflowStackProps extends StackProps {
  data: DataStack;
  /** Where alarms go (an operations mailbox). */
  opsEmail: string;
  /** Receive inbound email with SES (only in regions where SES receiving exists). */
  inboundEmailDomain?: string;
  /** The edge web ACL (EdgeStack, us-east-1) when the profile switches WAF on. */
  webAclArn?: string;
}

export class WorkflowStack extends Stack {
  readonly api: apigw.HttpApi;
  readonly stateMachine: sfn.StateMachine;
  readonly userPool: cognito.UserPool;
  readonly functions: HouseFunction[] = [];

  constructor(scope: Construct, id: string, provider: ProviderContext, props: WorkflowStackProps) {
    super(scope, id, props);
    const { prefix, profile, profilePath } = provider;
    const data = props.data.referencesIn(this);
    const stateMachineName = `${prefix}-complaint`;

    this.api = new apigw.HttpApi(this, 'Api', {
      apiName: `${prefix}-api`,
      description: `Complaints API for ${profile.name}`,
      createDefaultStage: false,
    });
    const edge = props.webAclArn ? this.edgeDistribution(prefix, props.webAclArn) : undefined;
    // Residents and staff use CloudFront's address when WAF is on, so links in letters pass the web ACL.
    const apiUrl = edge ? `https://${edge.distribution.distributionDomainName}` : this.api.apiEndpoint;
    const staffAddress = profile.contact.email ?? profile.letters.senderEmail;
    const common = {
      prefix,
      profilePath,
      logKey: data.key,
      environment: {
        RESIDENT_BASE_URL: apiUrl,
        STAFF_BASE_URL: `${apiUrl}/staff`,
        ...(edge ? { ORIGIN_VERIFY_SECRET_ARN: edge.originSecret.secretArn } : {}),
        STAFF_ALERT_EMAILS: JSON.stringify({
          handler: staffAddress,
          reviewer: staffAddress,
          manager: staffAddress,
          admin: staffAddress,
        }),
      },
    };
    const configurationSet = new ses.ConfigurationSet(this, 'Mail', {
      configurationSetName: `${prefix}-mail`,
      reputationMetrics: true,
      sendingEnabled: true,
    });
    const build = (
      name: string,
      module: string,
      description: string,
      exportName?: string,
      extra: Partial<ConstructorParameters<typeof HouseFunction>[2]> = {},
    ) => {
      const fn = new HouseFunction(this, `Fn-${name}`, {
        ...common,
        name,
        module,
        exportName,
        description,
        ...extra,
      })
        .useTable(data.table, 'readWrite')
        .useSecret(data.appSecret)
        .useLettersBucket(data.letters)
        .acknowledgeStandardFindings();
      fn.fn.addEnvironment('SES_CONFIGURATION_SET', configurationSet.configurationSetName);
      edge?.originSecret.grantRead(fn.fn);
      grantSendEmail(fn, configurationSet, profile.letters.senderEmail);
      this.functions.push(fn);
      return fn;
    };

    // The functions the machine invokes. register-task also completes callbacks (when the case has moved
    // on), so its Step Functions grant is by constructed ARN: no dependency cycle.
    const tasks = Object.fromEntries(
      WORKFLOW_TASKS.map((task) => [
        task.substitution,
        build(task.name, task.module, `Workflow task: ${task.name}`),
      ]),
    );
    tasks.RegisterTaskFunctionArn?.useStateMachine(stateMachineName, [
      'states:SendTaskSuccess',
      'states:SendTaskFailure',
    ]);

    // The working-morning digest of new tasks (profile notifications.newTasks). The schedule's role may invoke
    // this one function only (the target grants it); the function skips bank holidays and closure days.
    const digest = build('send-digest', 'workflow/send-digest', 'Scheduled: the daily digest of new tasks');
    const digestRole = new iam.Role(this, 'DailyDigestRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'EventBridge Scheduler: invokes the daily digest function only',
    });
    Validations.of(digestRole).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(digest.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        'The scheduler target grants invoke on the digest function and its versions (":*"); no other function',
    });
    new scheduler.Schedule(this, 'DailyDigest', {
      scheduleName: `${prefix}-daily-digest`,
      description: 'Each working morning at 08:00 London time: email each digest role its new tasks',
      schedule: scheduler.ScheduleExpression.cron({
        minute: '0',
        hour: '8',
        weekDay: 'MON-FRI',
        timeZone: TimeZone.EUROPE_LONDON,
      }),
      target: new schedulerTargets.LambdaInvoke(digest.fn, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts: 2,
        role: digestRole,
      }),
    });

    const machineLogs = new logs.LogGroup(this, 'MachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: logs.RetentionDays.SIX_MONTHS,
      encryptionKey: data.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Complaint', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: `One execution per complaint for ${profile.name}`,
      definitionBody: sfn.DefinitionBody.fromString(readFileSync(ASL_FILE, 'utf8')),
      definitionSubstitutions: Object.fromEntries(
        Object.entries(tasks).map(([substitution, fn]) => [substitution, fn.fn.functionArn]),
      ),
      tracingEnabled: true,
      // Execution data holds resident details: logged events carry state names and errors only.
      logs: { destination: machineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    // Invoke the unqualified functions only (grantInvoke would also allow every version, ":*").
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(tasks).map((fn) => fn.fn.functionArn),
      }),
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs delivery (logs:CreateLogDelivery and related) and X-Ray do not support resource-level permissions',
    });
    // In-flight executions keep the definition they started with; each deploy publishes a version and
    // moves the "live" alias, which new executions start on.
    const version = new sfn.CfnStateMachineVersion(this, 'ComplaintVersion', {
      stateMachineArn: this.stateMachine.stateMachineArn,
      stateMachineRevisionId: this.stateMachine.stateMachineRevisionId,
      description: 'Published on deploy',
    });
    // Kept when the next deploy publishes a new one: in-flight executions and rollbacks refer to it.
    version.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const alias = new sfn.CfnStateMachineAlias(this, 'ComplaintLive', {
      name: STATE_MACHINE_ALIAS,
      description: 'New complaints start here',
      routingConfiguration: [{ stateMachineVersionArn: version.attrArn, weight: 100 }],
    });

    this.userPool = new cognito.UserPool(this, 'Staff', {
      userPoolName: `${prefix}-staff`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of ['handler', 'reviewer', 'manager', 'admin']) {
      new cognito.CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description: `Complaints ${group}s`,
      });
    }
    const domain = this.userPool.addDomain('SignIn', { cognitoDomain: { domainPrefix: prefix } });
    const client = this.userPool.addClient('Console', {
      userPoolClientName: `${prefix}-console`,
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [`${apiUrl}/staff/callback`],
        logoutUrls: [`${apiUrl}/staff`],
      },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      preventUserExistenceErrors: true,
      // Staff cannot change their own email: it names them in the audit trail and in the stage 2 rule.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    // API Gateway accepts a token whose `aud` or `client_id` is this client, so access tokens pass here too;
    // the handlers accept only ID tokens (token_use = id), so one person is always one `sub` with one email.
    const authorizer = new HttpUserPoolAuthorizer('StaffAuthorizer', this.userPool, {
      userPoolClients: [client],
    });

    // One function per API route handler; one for every page (it dispatches on the route key); one for
    // the govuk-frontend files.
    const routeFunctions = new Map<string, HouseFunction>();
    const functionFor = (route: RouteDefinition): HouseFunction => {
      const key =
        route.access === 'asset'
          ? 'assets'
          : route.module.startsWith('web/')
            ? 'web'
            : `${route.module}#${route.exportName}`;
      const existing = routeFunctions.get(key);
      if (existing) return existing;
      let fn: HouseFunction;
      if (key === 'assets') {
        // Static files only: no table, secret, bucket or mail access.
        fn = new HouseFunction(this, 'Fn-web-assets', {
          ...common,
          name: 'web-assets',
          module: 'web/assets',
          exportName: 'handler',
          description: 'govuk-frontend CSS, JavaScript, fonts and images',
          // Only what functions/web/assets.ts serves; the pages reference each of these (test/infra).
          copy: [
            'assets',
            'govuk-frontend.min.css',
            'govuk-frontend.min.css.map',
            'govuk-frontend.min.js',
            'govuk-frontend.min.js.map',
          ].map((file) => ({ from: `node_modules/govuk-frontend/dist/govuk/${file}`, to: `govuk/${file}` })),
        }).acknowledgeStandardFindings();
        edge?.originSecret.grantRead(fn.fn);
        this.functions.push(fn);
      } else if (key === 'web') {
        fn = build('web-pages', 'web/router', 'Resident pages and the staff console', 'handler');
        // The complaint form stores residents' files; the staff case page downloads them.
        fn.useAttachmentsBucket(data.attachments);
        fn.fn.addEnvironment(
          'COGNITO_ISSUER',
          `https://cognito-idp.${this.region}.amazonaws.com/${this.userPool.userPoolId}`,
        );
        fn.fn.addEnvironment('COGNITO_CLIENT_ID', client.userPoolClientId);
        fn.fn.addEnvironment('COGNITO_DOMAIN', domain.baseUrl());
      } else {
        const name =
          `${route.module.split('/').at(-1)}-${route.exportName.replace(/Handler$/, '')}`.toLowerCase();
        fn = build(name, route.module, route.summary, route.exportName);
      }
      if (key !== 'assets') {
        fn.useStateMachine(stateMachineName, [
          'states:StartExecution',
          'states:SendTaskSuccess',
          'states:SendTaskFailure',
        ]);
      }
      routeFunctions.set(key, fn);
      return fn;
    };
    const UNAUTHORISED_BY_DESIGN: Record<string, string> = {
      public:
        'A resident route: complaining must not need an account (Code section 3). Intake is throttled and idempotent; case routes are authorised in the handler by a signed, expiring, case-scoped link',
      'staff-page':
        "A staff page: the HTTP API's JWT authorizer reads only headers, so the handler verifies the Cognito session cookie (signature, issuer, audience, expiry) and sends anyone else to sign in",
      asset: 'Static govuk-frontend files (CSS, fonts, images) that every page needs before sign-in',
    };
    for (const route of ALL_ROUTES) {
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [route.method === 'GET' ? apigw.HttpMethod.GET : apigw.HttpMethod.POST],
        integration: new HttpLambdaIntegration(`Int-${route.method}-${route.path}`, functionFor(route).fn),
        authorizer: route.access === 'staff' ? authorizer : undefined,
      });
      const reason = UNAUTHORISED_BY_DESIGN[route.access];
      if (reason && created)
        Validations.of(created).acknowledge({ id: 'AwsSolutions::AwsSolutions-APIG4', reason });
    }

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      logGroupName: `/aws/apigateway/${prefix}-api`,
      retention: logs.RetentionDays.SIX_MONTHS,
      encryptionKey: data.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new apigw.CfnStage(this, 'DefaultStage', {
      apiId: this.api.apiId,
      stageName: '$default',
      autoDeploy: true,
      // Public routes face the internet: a steady rate with a small burst is plenty for complaints.
      defaultRouteSettings: { throttlingRateLimit: 20, throttlingBurstLimit: 40 },
      accessLogSettings: {
        destinationArn: accessLogs.logGroupArn,
        format: JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          time: '$context.requestTime',
          method: '$context.httpMethod',
          route: '$context.routeKey',
          status: '$context.status',
          length: '$context.responseLength',
          latency: '$context.integrationLatency',
        }),
      },
    });
    stage.node.addDependency(this.api);

    // SES events (bounces, complaints) reach a function that records them on the case and posts the letter.
    const mailEvents = new sns.Topic(this, 'MailEvents', {
      topicName: `${prefix}-mail-events`,
      masterKey: data.key,
      enforceSSL: true,
    });
    configurationSet.addEventDestination('ToTopic', {
      destination: ses.EventDestination.snsTopic(mailEvents),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT],
    });
    const deadLetters = new sqs.Queue(this, 'MailEventsDeadLetters', {
      queueName: `${prefix}-mail-events-dlq`,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: data.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue for SES event delivery; its depth is alarmed',
    });
    const sesEvents = build(
      'ses-events',
      'email/ses-events',
      'Records SES bounces and complaints on the case',
    );
    mailEvents.addSubscription(
      new subscriptions.LambdaSubscription(sesEvents.fn, { deadLetterQueue: deadLetters }),
    );
    // A notification the function keeps failing on is parked, not dropped.
    sesEvents.fn.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(deadLetters),
      retryAttempts: 2,
    });

    if (props.inboundEmailDomain) {
      // SES receiving exists only in some regions (docs/deployment.md lists them).
      const rules = new ses.ReceiptRuleSet(this, 'Inbound', { receiptRuleSetName: `${prefix}-inbound` });
      rules.addRule('ToBucket', {
        recipients: [props.inboundEmailDomain],
        scanEnabled: true,
        tlsPolicy: ses.TlsPolicy.REQUIRE,
        actions: [
          new sesActions.S3({ bucket: data.inboundEmail, objectKeyPrefix: 'inbound/', kmsKey: data.key }),
        ],
      });
    }

    new Operations(this, 'Operations', {
      prefix,
      opsEmail: props.opsEmail,
      key: data.key,
      stateMachine: this.stateMachine,
      functions: this.functions,
      breachLogGroup: tasks.CheckDeadlineFunctionArn?.fn.logGroup,
      deadLetterQueues: [deadLetters],
      configurationSet,
      api: this.api,
    });

    new CfnOutput(this, 'ApiUrl', { value: apiUrl });
    if (edge) new CfnOutput(this, 'DistributionId', { value: edge.distribution.distributionId });
    new CfnOutput(this, 'StateMachineAlias', { value: alias.ref });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'SignInDomain', { value: domain.baseUrl() });
    new CfnOutput(this, 'SesConfigurationSet', { value: configurationSet.configurationSetName });
  }

  /**
   * With WAF on (profile `features.waf`, ADR 0003): CloudFront in front of the HTTP API with the edge web ACL,
   * and a secret header on every forwarded request that the handlers require, so the API's own endpoint
   * cannot be used to go round the web ACL.
   */
  private edgeDistribution(prefix: string, webAclArn: string): EdgeResources {
    const originSecret = new secrets.Secret(this, 'OriginVerify', {
      secretName: `${prefix}/origin-verify`,
      description: 'CloudFront adds this to every request it forwards; handlers refuse requests without it',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(originSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Rotating it means updating the CloudFront origin header in the same deploy; it is rotated by replacing the secret (docs/operations.md), not on a schedule',
    });
    const origin = new origins.HttpOrigin(`${this.api.apiId}.execute-api.${this.region}.amazonaws.com`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      customHeaders: { [ORIGIN_VERIFY_HEADER]: originSecret.secretValue.unsafeUnwrap() },
    });
    const passThrough = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    const staticFiles = {
      ...passThrough,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
    };
    const distribution = new cloudfront.Distribution(this, 'Edge', {
      comment: `${prefix}: complaints service behind AWS WAF`,
      defaultBehavior: passThrough,
      additionalBehaviors: { '/govuk/*': staticFiles, '/assets/*': staticFiles },
      webAclId: webAclArn,
      // No CloudFront standard logs: they record query strings, and residents' case links carry their
      // signed token there. WAF metrics and the API's access logs (which omit query strings) remain.
      enableLogging: false,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
    });
    Validations.of(distribution).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-CFR1',
        reason:
          'No geo restriction: residents may complain from anywhere (for example while travelling or living abroad)',
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR3',
        reason:
          "Standard logs would keep residents' signed case-link tokens (in query strings) for the log's lifetime; the web ACL's metrics and the API access logs, which omit query strings, are kept instead",
      },
      {
        id: 'AwsSolutions::AwsSolutions-CFR4',
        reason:
          "The default *.cloudfront.net certificate cannot enforce TLS 1.2 for viewers; a landlord's own domain and ACM certificate does (docs/deployment.md)",
      },
    );
    return { distribution, originSecret };
  }
}

export interface EdgeResources {
  distribution: cloudfront.Distribution;
  originSecret: secrets.Secret;
}

function grantSendEmail(fn: HouseFunction, configurationSet: ses.ConfigurationSet, sender: string) {
  const stack = Stack.of(fn);
  const domain = sender.split('@')[1];
  fn.fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [
        stack.formatArn({ service: 'ses', resource: 'identity', resourceName: domain }),
        stack.formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: configurationSet.configurationSetName,
        }),
      ],
    }),
  );
}
