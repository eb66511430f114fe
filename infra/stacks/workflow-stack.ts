import { CfnOutput, type StackProps } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { profileFingerprint } from '#shared/policy/profile.ts';
import { ALL_ROUTES } from '../../functions/routes.ts';
import { AppFunctions } from '../constructs/app-functions.ts';
import { CapabilityStack } from '../constructs/capability.ts';
import { ComplaintApi } from '../constructs/complaint-api.ts';
import { ComplaintWorkflow } from '../constructs/complaint-workflow.ts';
import { DailyDigest } from '../constructs/daily-digest.ts';
import type { HouseFunction } from '../constructs/house-function.ts';
import { Mail } from '../constructs/mail.ts';
import { Operations } from '../constructs/operations.ts';
import { ReportMonths } from '../constructs/report-months.ts';
import { RetentionJob } from '../constructs/retention-job.ts';
import { StaffDirectory } from '../constructs/staff-directory.ts';
import type { ProviderContext } from '../provider-context.ts';
import type { DataStack } from './data-stack.ts';

export { ASL_FILE, WORKFLOW_TASKS } from '../constructs/complaint-workflow.ts';

export interface WorkflowStackProps extends StackProps {
  data: DataStack;
  /** Where alarms go (an operations mailbox). */
  opsEmail: string;
  /** Receive inbound email with SES (only in regions where SES receiving exists). */
  inboundEmailDomain?: string;
  /** The edge web ACL (EdgeStack, us-east-1) when the profile switches WAF on. */
  webAclArn?: string;
}

/**
 * The service: it wires the capabilities in `infra/constructs/` together (each builds its own resources,
 * grants and cdk-nag acknowledgements) and adds the operations alarms and the outputs.
 */
export class WorkflowStack extends CapabilityStack {
  readonly api: apigw.HttpApi;
  readonly stateMachine: sfn.StateMachine;
  readonly userPool: cognito.UserPool;
  readonly functions: readonly HouseFunction[];

  constructor(scope: Construct, id: string, provider: ProviderContext, props: WorkflowStackProps) {
    super(scope, id, props);
    const { prefix, profile, profilePath } = provider;
    const data = props.data.referencesIn(this);

    const mail = new Mail(this, 'Mail', {
      prefix,
      key: data.key,
      senderEmail: profile.letters.senderEmail,
      inboundEmailDomain: props.inboundEmailDomain,
      inboundBucket: data.inboundEmail,
    });
    const api = new ComplaintApi(this, 'ComplaintApi', {
      prefix,
      providerName: profile.name,
      key: data.key,
      webAclArn: props.webAclArn,
    });
    const staff = new StaffDirectory(this, 'StaffDirectory', { prefix, appUrl: api.url });
    const staffAddress = profile.contact.email ?? profile.letters.senderEmail;
    const functions = new AppFunctions({
      prefix,
      profilePath,
      key: data.key,
      table: data.table,
      appSecret: data.appSecret,
      letters: data.letters,
      mail,
      originSecret: api.edge?.originSecret,
      tracing: profile.features.xrayTracing,
      environment: {
        RESIDENT_BASE_URL: api.url,
        STAFF_BASE_URL: `${api.url}/staff`,
        STAFF_ALERT_EMAILS: JSON.stringify({
          handler: staffAddress,
          reviewer: staffAddress,
          manager: staffAddress,
          admin: staffAddress,
        }),
      },
    });

    const workflow = new ComplaintWorkflow(this, 'ComplaintWorkflow', {
      prefix,
      providerName: profile.name,
      key: data.key,
      functions,
      tracing: profile.features.xrayTracing,
    });
    const digest = new DailyDigest(this, 'DailyDigest', {
      prefix,
      functions,
      stateMachineName: workflow.stateMachineName,
    });
    new RetentionJob(this, 'Retention', {
      prefix,
      functions,
      letters: data.letters,
      attachments: data.attachments,
      inboundEmail: data.inboundEmail,
    });
    new ReportMonths(this, 'ReportMonths', { prefix, functions, table: data.table });
    api.addRoutes(ALL_ROUTES, {
      functions,
      workflow,
      staff,
      attachments: data.attachments,
      inboundEmail: data.inboundEmail,
      letters: data.letters,
    });
    mail.addFunctions(functions, {
      attachments: data.attachments,
      stateMachineName: workflow.stateMachineName,
    });

    // Once every function is built: the check runs before they are updated and again after.
    digest.checkProfileAtDeploy(profileFingerprint(profile), functions.all);

    this.api = api.api;
    this.stateMachine = workflow.stateMachine;
    this.userPool = staff.userPool;
    this.functions = functions.all;

    new Operations(this, 'Operations', {
      prefix,
      opsEmail: props.opsEmail,
      key: data.key,
      stateMachine: workflow.stateMachine,
      functions: functions.all,
      breachLogGroup: workflow.breachLogGroup,
      deadLetterQueues: [mail.deadLetters, mail.inboundDeadLetters],
      configurationSet: mail.configurationSet,
      api: api.api,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.url });
    if (api.edge) new CfnOutput(this, 'DistributionId', { value: api.edge.distribution.distributionId });
    new CfnOutput(this, 'StateMachineAlias', { value: workflow.alias.ref });
    new CfnOutput(this, 'UserPoolId', { value: staff.userPool.userPoolId });
    new CfnOutput(this, 'SignInDomain', { value: staff.domain.baseUrl() });
    new CfnOutput(this, 'SesConfigurationSet', { value: mail.configurationSet.configurationSetName });
  }
}
