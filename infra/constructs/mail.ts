import { Duration, Stack, Validations } from 'aws-cdk-lib';
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
 * mail.addFunctions(functions);
 */
export class Mail extends Capability {
  readonly configurationSet: ses.ConfigurationSet;
  readonly events: sns.Topic;
  /** SES events the recording function could not take, parked rather than dropped (alarmed on depth). */
  readonly deadLetters: sqs.Queue;
  private readonly senderDomain: string;

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

    if (props.inboundEmailDomain) {
      const rules = new ses.ReceiptRuleSet(this, 'Inbound', { receiptRuleSetName: `${prefix}-inbound` });
      rules.addRule('ToBucket', {
        recipients: [props.inboundEmailDomain],
        scanEnabled: true,
        tlsPolicy: ses.TlsPolicy.REQUIRE,
        actions: [
          new sesActions.S3({ bucket: props.inboundBucket, objectKeyPrefix: 'inbound/', kmsKey: key }),
        ],
      });
    }
  }

  /** Mail's own functions: the one that records SES events on the case. */
  addFunctions(functions: AppFunctions): HouseFunction {
    const sesEvents = functions.build(this, {
      name: 'ses-events',
      module: 'email/ses-events',
      description: 'Records SES bounces and complaints on the case',
    });
    this.events.addSubscription(
      new subscriptions.LambdaSubscription(sesEvents.fn, { deadLetterQueue: this.deadLetters }),
    );
    // A notification the function keeps failing on is parked, not dropped.
    sesEvents.fn.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.deadLetters),
      retryAttempts: 2,
    });
    return sesEvents;
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
