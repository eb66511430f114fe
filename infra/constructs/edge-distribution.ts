import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ORIGIN_VERIFY_HEADER } from '../../functions/lib/origin.ts';
import { Capability } from './capability.ts';

export interface EdgeDistributionProps {
  prefix: string;
  api: apigw.IHttpApi;
  /** The edge web ACL (EdgeStack, us-east-1). */
  webAclArn: string;
}

/**
 * With WAF on (profile `features.waf`, ADR 0003): CloudFront in front of the HTTP API with the edge web ACL,
 * and a secret header on every forwarded request that the handlers require, so the API's own endpoint
 * cannot be used to go round the web ACL.
 *
 * @example
 * const edge = new EdgeDistribution(this, 'EdgeDistribution', { prefix, api, webAclArn });
 * edge.originSecret.grantRead(fn);
 */
export class EdgeDistribution extends Capability {
  readonly distribution: cloudfront.Distribution;
  /** The header value CloudFront adds; every function reads it to check requests. */
  readonly originSecret: secrets.Secret;

  constructor(scope: Construct, id: string, props: EdgeDistributionProps) {
    super(scope, id);
    const { prefix } = props;
    this.originSecret = new secrets.Secret(this, 'OriginVerify', {
      secretName: `${prefix}/origin-verify`,
      description: 'CloudFront adds this to every request it forwards; handlers refuse requests without it',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.originSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Rotating it means updating the CloudFront origin header in the same deploy; it is rotated by replacing the secret (docs/operations.md), not on a schedule',
    });
    const origin = new origins.HttpOrigin(
      `${props.api.apiId}.execute-api.${Stack.of(this).region}.amazonaws.com`,
      {
        // Named, so it does not follow the construct path (CDK's generated id would).
        originId: 'http-api',
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        customHeaders: { [ORIGIN_VERIFY_HEADER]: this.originSecret.secretValue.unsafeUnwrap() },
      },
    );
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
    this.distribution = new cloudfront.Distribution(this, 'Edge', {
      comment: `${prefix}: complaints service behind AWS WAF`,
      defaultBehavior: passThrough,
      additionalBehaviors: { '/govuk/*': staticFiles, '/assets/*': staticFiles },
      webAclId: props.webAclArn,
      // No CloudFront standard logs: they record query strings, and residents' case links carry their
      // signed token there. WAF metrics and the API's access logs (which omit query strings) remain.
      enableLogging: false,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
    });
    Validations.of(this.distribution).acknowledge(
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
  }

  /** The address residents and staff use: links in letters must pass the web ACL. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}
