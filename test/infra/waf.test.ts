import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '#shared/policy/load-profile.ts';
import { buildApp } from '../../infra/app.ts';

/** The Code baseline with WAF switched on, as a landlord would set it in its profile. */
function wafProfile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'waf-'));
  const path = join(dir, 'waf-homes.json');
  writeFileSync(
    path,
    JSON.stringify({ ...loadProfile('code-baseline'), id: 'waf-homes', features: { waf: true } }),
  );
  return path;
}

describe('profile switch features.waf', () => {
  const provider = wafProfile();

  it('needs the target account and region, and says how to give them', () => {
    expect(() => buildApp({ provider, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) })).toThrow(
      /-c account=123456789012 -c region=eu-west-2/,
    );
  });

  it('puts the API behind CloudFront with a us-east-1 web ACL, still cdk-nag clean', () => {
    const built = buildApp({
      provider,
      account: '123456789012',
      region: 'eu-west-2',
      outdir: mkdtempSync(join(tmpdir(), 'cdk-')),
    });
    expect(() => built.app.synth()).not.toThrow();
    expect(built.edge?.region).toBe('us-east-1');
    const edge = Template.fromStack(built.edge as NonNullable<typeof built.edge>);
    edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'AWSManagedRulesCommonRuleSet',
          Statement: {
            ManagedRuleGroupStatement: Match.objectLike({
              RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
            }),
          },
        }),
        Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
        Match.objectLike({ Name: 'RateLimitPerAddress', Action: { Block: {} } }),
      ]),
    });
    const workflow = Template.fromStack(built.workflow);
    workflow.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: Match.anyValue(),
        Logging: Match.absent(),
        Origins: [
          Match.objectLike({
            CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
            OriginCustomHeaders: [Match.objectLike({ HeaderName: 'x-origin-verify' })],
          }),
        ],
      }),
    });
    // Every function the HTTP API invokes refuses requests that did not come through CloudFront, and links
    // point at CloudFront. (Functions on other triggers, such as SNS or EventBridge, take no HTTP requests.)
    const invokedByTheApi = new Set(
      Object.values(workflow.findResources('AWS::Lambda::Permission'))
        .filter((permission) => permission.Properties.Principal === 'apigateway.amazonaws.com')
        .map((permission) => JSON.stringify(permission.Properties.FunctionName)),
    );
    const functions = Object.entries(workflow.findResources('AWS::Lambda::Function'));
    const apiFunctions = functions.filter(([logicalId]) =>
      [...invokedByTheApi].some((name) => name.includes(`"${logicalId}"`)),
    );
    expect(apiFunctions.length).toBeGreaterThan(5);
    for (const [, fn] of apiFunctions) {
      const variables = fn.Properties.Environment?.Variables ?? {};
      if (!String(fn.Properties.FunctionName).startsWith('complaints-waf-homes-')) continue;
      expect(variables.ORIGIN_VERIFY_SECRET_ARN, fn.Properties.FunctionName).toBeDefined();
      if (variables.RESIDENT_BASE_URL) {
        expect(JSON.stringify(variables.RESIDENT_BASE_URL)).toMatch(/Edge[0-9A-F]+","DomainName"/);
      }
    }
  }, 240_000); // a synth of three stacks bundles every function: slow on a busy 2-core machine
});
