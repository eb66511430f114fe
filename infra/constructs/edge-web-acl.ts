import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { Capability } from './capability.ts';

export interface EdgeWebAclProps {
  prefix: string;
  /** The provider's name, for the web ACL's description. */
  providerName: string;
}

/**
 * The CLOUDFRONT-scope web ACL for the distribution in front of the HTTP API (ADR 0003): AWS managed rules
 * for common attacks, known bad inputs and IP reputation, and a rate limit per address.
 *
 * @example
 * const { webAcl } = new EdgeWebAcl(this, 'EdgeWebAcl', { prefix, providerName: profile.name });
 */
export class EdgeWebAcl extends Capability {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeWebAclProps) {
    super(scope, id);
    const metric = (name: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${props.prefix}-${name}`,
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
      name: `${props.prefix}-edge`,
      description: `Protects the complaints service of ${props.providerName}`,
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
