import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Capability } from './capability.ts';

export interface AppSecretProps {
  prefix: string;
  key: kms.IKey;
}

/**
 * The application secret: the HMAC master key behind residents' case links and contact-detail hashes,
 * generated at deploy, encrypted with the data key and retained.
 *
 * @example
 * const { secret } = new AppSecret(this, 'AppSecret', { prefix, key });
 */
export class AppSecret extends Capability {
  readonly secret: secrets.Secret;

  constructor(scope: Construct, id: string, props: AppSecretProps) {
    super(scope, id);
    this.secret = new secrets.Secret(this, 'AppSecret', {
      secretName: `${props.prefix}/app`,
      description: 'HMAC keys: resident case links and contact-detail hashes',
      encryptionKey: props.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'masterKey',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'An HMAC master key, not a credential: rotating it invalidates every resident link already sent, so it is rotated by the documented procedure (docs/operations.md), not on a schedule',
    });
  }
}
