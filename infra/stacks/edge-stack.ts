import { Stack, type StackProps } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { ProviderContext } from '../provider-context.ts';

/**
 * The web ACL for the CloudFront distribution in front of the HTTP API (profile `features.waf`). WAF cannot
 * attach to an HTTP API, and a CLOUDFRONT-scope web ACL must live in us-east-1 (ADR 0003).
 */
export class EdgeStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, provider: ProviderContext, props: StackProps) {
    super(scope, id, props);
    const metric = (name: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${provider.prefix}-${name}`,
      sampledRequestsEnabled: true,
    });
    const managed = (
      name: string,
      priority: number,
      overrides: string[] = [],
    ): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: overrides.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
        },
      },
      visibilityConfig: metric(name),
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${provider.prefix}-edge`,
      description: `Protects the complaints service of ${provider.profile.name}`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: metric('edge'),
      rules: [
        // A long complaint or its attachments exceed the common rule set's 8 KB body limit: count, not block.
        managed('AWSManagedRulesCommonRuleSet', 1, ['SizeRestrictions_BODY']),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
        managed('AWSManagedRulesAmazonIpReputationList', 3),
        {
          name: 'RateLimitPerAddress',
          priority: 4,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 600, aggregateKeyType: 'IP' } },
          visibilityConfig: metric('rate-limit'),
        },
      ],
    });
  }
}
