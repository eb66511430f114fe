import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sesActions from 'aws-cdk-lib/aws-ses-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { AppFunctions } from './app-functions.ts';
import { Capability } from './capability.ts';
import { INBOUND_EMAIL_PREFIX } from './data-buckets.ts';
import type { HouseFunction } from './house-function.ts';

export interface MailProps {
  prefix: string;
  /** Encrypts the events topic and its dead-letter queue; SES encrypts inbound mail with it. */
  key: kms.IKey;
  /** The From address of every email (profile `letters.senderEmail`): functions may send as its domain only. */
  senderEmail: string;
  /**
   * Receive email for this domain with SES, into `inboundBucket` under `inbound/`. SES receiving exists only
   * in some regions (docs/deployment.md lists them).
   * @default no receipt rule set
   */
  inboundEmailDomain?: string;
  /** Where received email is stored (the data stack's inbound bucket). */
  inboundBucket: s3.IBucket;
}

export interface MailFunctionsProps {
  /** Email intake stores the files an email brings (the attachments bucket, put only). */
  attachments: s3.IBucket;
  /** Email intake starts an execution for each new complaint (ComplaintWorkflow.stateMachineName). */
  stateMachineName: string;
}

/**
 * Email: the SES configuration set every function sends through, the SES events (bounces, complaints,
 * rejects) delivered to a function that records them on the case, and optionally inbound email to S3.
 *
 * Every function, including mail's own, sends through the configuration set, so the set is built first and
 * mail's functions are added once the stack has its {@link AppFunctions} (see {@link Mail.addFunctions}).
 *
 * @example
 * const mail = new Mail(this, 'Mail', { prefix, key, senderEmail, inboundBucket });
 * const functions = new AppFunctions({ ...shared, mail });
 * mail.addFunctions(functions, { attachments, stateMachineName: workflow.stateMachineName });
 */
export class Mail extends Capability {
  readonly configurationSet: ses.ConfigurationSet;
  readonly events: sns.Topic;
  /** SES events the recording function could not take, parked rather than dropped (alarmed on depth). */
  readonly deadLetters: sqs.Queue;
  /** Inbound email notifications email intake kept failing on (alarmed on depth; the raw message stays). */
  readonly inboundDeadLetters: sqs.Queue;
  private readonly senderDomain: string;
  private readonly inboundBucket: s3.IBucket;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    const { prefix, key } = props;
    this.senderDomain = props.senderEmail.slice(props.senderEmail.lastIndexOf('@') + 1);
    this.configurationSet = new ses.ConfigurationSet(this, 'Mail', {
      configurationSetName: `${prefix}-mail`,
      reputationMetrics: true,
      sendingEnabled: true,
    });

    this.events = new sns.Topic(this, 'MailEvents', {
      topicName: `${prefix}-mail-events`,
      masterKey: key,
      enforceSSL: true,
    });
    this.configurationSet.addEventDestination('ToTopic', {
      destination: ses.EventDestination.snsTopic(this.events),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT],
    });
    this.deadLetters = new sqs.Queue(this, 'MailEventsDeadLetters', {
      queueName: `${prefix}-mail-events-dlq`,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue for SES event delivery; its depth is alarmed',
    });
    this.inboundBucket = props.inboundBucket;
    this.prefix = prefix;
    this.inboundDeadLetters = new sqs.Queue(this, 'InboundEmailDeadLetters', {
      queueName: `${prefix}-inbound-email-dlq`,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.inboundDeadLetters).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue for email intake (its failed S3 notifications); its depth is alarmed',
    });

    if (props.inboundEmailDomain) {
      const rules = new ses.ReceiptRuleSet(this, 'Inbound', { receiptRuleSetName: `${prefix}-inbound` });
      rules.addRule('ToBucket', {
        recipients: [props.inboundEmailDomain],
        scanEnabled: true,
        tlsPolicy: ses.TlsPolicy.REQUIRE,
        actions: [
          // No kmsKey: with one, SES encrypts client-side (readable only with the S3 encryption client). The
          // bucket's default SSE-KMS encrypts each message with the data key instead; the key policy lets
          // SES use it for this account (DataKey).
          new sesActions.S3({ bucket: props.inboundBucket, objectKeyPrefix: INBOUND_EMAIL_PREFIX }),
        ],
      });
    }
  }

  /**
   * Mail's own functions: the one that records SES events on the case, and email intake on each raw
   * message stored in the inbound bucket.
   */
  addFunctions(functions: AppFunctions, props: MailFunctionsProps): HouseFunction[] {
    // Records the failure on the case and posts the letter instead; it sends no email.
    const sesEvents = functions.build(
      this,
      {
        name: 'ses-events',
        module: 'email/ses-events',
        description: 'Records SES bounces and complaints on the case',
      },
      { table: 'readWrite', letters: true },
    );
    this.events.addSubscription(
      new subscriptions.LambdaSubscription(sesEvents.fn, { deadLetterQueue: this.deadLetters }),
    );
    // A notification the function keeps failing on is parked, not dropped.
    sesEvents.fn.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.deadLetters),
      retryAttempts: 2,
    });
    return [sesEvents, this.addEmailIntake(functions, props)];
  }

  private addEmailIntake(functions: AppFunctions, props: MailFunctionsProps): HouseFunction {
    // Writes cases and alerts the assignee of a reply by email; it stores no letters.
    const intake = functions.build(
      this,
      {
        name: 'email-intake',
        module: 'email/intake',
        description: 'Opens a case from each inbound email, or threads it onto its case',
        // A message with attachments is parsed whole; the default 128 MB is tight for a 40 MB message.
        memorySize: 512,
        timeout: Duration.seconds(60),
      },
      { table: 'readWrite', mail: true },
    );
    // Reads each message, and deletes one that failed the virus check; nothing else in the bucket.
    intake.useInboundEmailBucket(this.inboundBucket, ['s3:GetObject', 's3:DeleteObject']);
    // A reply to a case under a legal hold is kept past the bucket's expiry (a copy under held/); delete takes
    // the copy back when the case was anonymised while it was being written.
    intake.useHeldRawEmail(this.inboundBucket, ['s3:PutObject', 's3:DeleteObject']);
    intake.useAttachmentsBucket(props.attachments, 'put');
    intake.useStateMachine(props.stateMachineName, ['states:StartExecution']);
    // The bucket is in the data stack and sends its events to EventBridge; this rule picks the objects SES
    // created under inbound/. (A direct S3 notification to a function in this stack would need CDK's own
    // Python notifications function, with an AWS managed role, in this stack: ADR 0009.)
    new events.Rule(this, 'InboundEmailStored', {
      ruleName: `${this.prefix}-inbound-email`,
      description: 'Each raw email SES stores in the inbound bucket, to email intake',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [this.inboundBucket.bucketName] },
          object: { key: events.Match.prefix(INBOUND_EMAIL_PREFIX) },
        },
      },
      targets: [
        new targets.LambdaFunction(intake.fn, {
          deadLetterQueue: this.inboundDeadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    // Invoked asynchronously: a message the function keeps failing on is parked (and alarmed), not lost; the
    // raw message stays in the bucket, so it can be replayed.
    intake.fn.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.inboundDeadLetters),
      retryAttempts: 2,
    });
    return intake;
  }

  /** Sets SES_CONFIGURATION_SET and grants ses:SendEmail as the sender's domain, through this set only. */
  grantSend(fn: HouseFunction): void {
    fn.fn.addEnvironment('SES_CONFIGURATION_SET', this.configurationSet.configurationSetName);
    const stack = Stack.of(this);
    fn.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: this.senderDomain }),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
      }),
    );
  }
}
