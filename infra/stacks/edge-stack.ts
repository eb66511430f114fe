import type { StackProps } from 'aws-cdk-lib';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { CapabilityStack } from '../constructs/capability.ts';
import { EdgeWebAcl } from '../constructs/edge-web-acl.ts';
import type { ProviderContext } from '../provider-context.ts';

/**
 * The web ACL for the CloudFront distribution in front of the HTTP API (profile `features.waf`). WAF cannot
 * attach to an HTTP API, and a CLOUDFRONT-scope web ACL must live in us-east-1 (ADR 0003).
 */
export class EdgeStack extends CapabilityStack {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, provider: ProviderContext, props: StackProps) {
    super(scope, id, props);
    this.webAcl = new EdgeWebAcl(this, 'EdgeWebAcl', {
      prefix: provider.prefix,
      providerName: provider.profile.name,
    }).webAcl;
  }
}
