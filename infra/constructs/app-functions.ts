import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { HouseFunction, type HouseFunctionProps } from './house-function.ts';
import type { Mail } from './mail.ts';

export interface AppFunctionsProps {
  prefix: string;
  /** The provider profile, bundled beside every function's code. */
  profilePath: string;
  /** The data key: every log group is encrypted with it. */
  key: kms.IKey;
  table: dynamodb.ITable;
  appSecret: secrets.ISecret;
  letters: s3.IBucket;
  /** Sending: the functions that send email do so through its configuration set. */
  mail: Mail;
  /** Variables every function reads: the base URLs of links and the staff alert addresses. */
  environment: Record<string, string>;
  /**
   * With WAF on: the secret header CloudFront adds. Every HTTP function reads it and refuses requests without it.
   * @default no origin check
   */
  originSecret?: secrets.ISecret;
  /** X-Ray active tracing in every function (profile `features.xrayTracing`, ADR 0020). */
  tracing: boolean;
}

/** What a capability says about one of its functions; the rest is the same for every function. */
export type AppFunctionProps = Pick<
  HouseFunctionProps,
  'name' | 'module' | 'exportName' | 'description' | 'timeout' | 'memorySize' | 'copy'
>;

/**
 * What one function's code touches, so it is granted that and nothing more. Every function that runs use
 * cases reads the app secret (its keys are derived at cold start) and the case table.
 */
export interface FunctionUses {
  /** The case table: `read` for a function that only reads cases (no write action is granted). */
  table: 'read' | 'readWrite';
  /** Stores postal letters in the letters bucket (put only). */
  letters?: boolean;
  /** Sends email (letters to residents, alerts and digests to staff) through the configuration set. */
  mail?: boolean;
  /** Answers HTTP requests: with WAF on, it reads the secret header CloudFront adds and refuses others. */
  http?: boolean;
}

/**
 * Builds the service's functions, each as a {@link HouseFunction} in the capability that owns it, with the
 * access it says it uses, and keeps them in the order they were built (for alarms).
 *
 * @example
 * const fn = functions.build(this, { name: 'close-case', module: 'workflow/close-case', description: '…' }, {
 *   table: 'readWrite',
 * });
 */
export class AppFunctions {
  readonly all: HouseFunction[] = [];

  constructor(private readonly props: AppFunctionsProps) {}

  /** A function with the app secret and exactly the table, bucket, mail and origin access it uses. */
  build(scope: Construct, props: AppFunctionProps, uses: FunctionUses): HouseFunction {
    const fn = this.house(scope, props, uses.http === true)
      .useTable(this.props.table, uses.table)
      .useSecret(this.props.appSecret)
      .acknowledgeStandardFindings();
    if (uses.letters) fn.useLettersBucket(this.props.letters);
    if (uses.mail) this.props.mail.grantSend(fn);
    return fn;
  }

  /** A function that serves static files over HTTP: no table, secret, bucket or mail access. */
  buildStatic(scope: Construct, props: AppFunctionProps): HouseFunction {
    return this.house(scope, props, true).acknowledgeStandardFindings();
  }

  private house(scope: Construct, props: AppFunctionProps, http: boolean): HouseFunction {
    const { prefix, profilePath, key, environment, tracing } = this.props;
    const originSecret = http ? this.props.originSecret : undefined;
    const fn = new HouseFunction(scope, `Fn-${props.name}`, {
      prefix,
      profilePath,
      logKey: key,
      tracing,
      environment: {
        ...environment,
        ...(originSecret ? { ORIGIN_VERIFY_SECRET_ARN: originSecret.secretArn } : {}),
      },
      ...props,
    });
    originSecret?.grantRead(fn.fn);
    this.all.push(fn);
    return fn;
  }
}
