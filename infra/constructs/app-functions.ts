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
  /** Sending: every application function may send email through the configuration set. */
  mail: Mail;
  /** Variables every function reads: the base URLs of links and the staff alert addresses. */
  environment: Record<string, string>;
  /**
   * With WAF on: the secret header CloudFront adds. Every function may read it and refuses requests without it.
   * @default no origin check
   */
  originSecret?: secrets.ISecret;
}

/** What a capability says about one of its functions; the rest is the same for every function. */
export type AppFunctionProps = Pick<
  HouseFunctionProps,
  'name' | 'module' | 'exportName' | 'description' | 'timeout' | 'memorySize' | 'copy'
>;

/**
 * Builds the service's functions, each as a {@link HouseFunction} in the capability that owns it, with the
 * access every application function has, and keeps them in the order they were built (for alarms).
 *
 * @example
 * const fn = functions.build(this, { name: 'close-case', module: 'workflow/close-case', description: '…' });
 */
export class AppFunctions {
  readonly all: HouseFunction[] = [];

  constructor(private readonly props: AppFunctionsProps) {}

  /** A function with the case table (read and write), the app secret, the letters bucket and SES sending. */
  build(scope: Construct, props: AppFunctionProps): HouseFunction {
    const fn = this.house(scope, props)
      .useTable(this.props.table, 'readWrite')
      .useSecret(this.props.appSecret)
      .useLettersBucket(this.props.letters)
      .acknowledgeStandardFindings();
    this.props.originSecret?.grantRead(fn.fn);
    this.props.mail.grantSend(fn);
    return fn;
  }

  /** A function that serves static files: no table, secret, bucket or mail access. */
  buildStatic(scope: Construct, props: AppFunctionProps): HouseFunction {
    const fn = this.house(scope, props).acknowledgeStandardFindings();
    this.props.originSecret?.grantRead(fn.fn);
    return fn;
  }

  private house(scope: Construct, props: AppFunctionProps): HouseFunction {
    const { prefix, profilePath, key, environment, originSecret } = this.props;
    const fn = new HouseFunction(scope, `Fn-${props.name}`, {
      prefix,
      profilePath,
      logKey: key,
      environment: {
        ...environment,
        ...(originSecret ? { ORIGIN_VERIFY_SECRET_ARN: originSecret.secretArn } : {}),
      },
      ...props,
    });
    this.all.push(fn);
    return fn;
  }
}
