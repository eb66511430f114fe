import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { providerContext } from './provider-context.ts';
import { DataStack } from './stacks/data-stack.ts';
import { EdgeStack } from './stacks/edge-stack.ts';
import { WorkflowStack } from './stacks/workflow-stack.ts';

export interface BuildOptions {
  provider: string;
  opsEmail?: string;
  inboundEmailDomain?: string;
  outdir?: string;
  /** The target account and region: needed only with WAF on (cross-region references to us-east-1). */
  account?: string;
  region?: string;
}

/** One stack set per housing provider; every name derives from the provider id. */
export function buildApp(
  options: BuildOptions,
  app = new App({ outdir: options.outdir }),
): { app: App; data: DataStack; workflow: WorkflowStack; edge?: EdgeStack } {
  const provider = providerContext(options.provider);
  const id = provider.profile.id
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
  const waf = provider.profile.features.waf;
  if (waf && (!options.account || !options.region)) {
    throw new Error(
      `Provider ${provider.profile.id} switches WAF on, which puts a web ACL in us-east-1 and needs the target account and region: add -c account=123456789012 -c region=eu-west-2`,
    );
  }
  const env = waf ? { account: options.account, region: options.region } : undefined;
  const edge = waf
    ? new EdgeStack(app, `Complaints${id}Edge`, provider, {
        env: { account: options.account, region: 'us-east-1' },
        crossRegionReferences: true,
      })
    : undefined;
  const data = new DataStack(app, `Complaints${id}Data`, provider, { env });
  const workflow = new WorkflowStack(app, `Complaints${id}Workflow`, provider, {
    env,
    crossRegionReferences: waf,
    data,
    opsEmail: options.opsEmail ?? provider.profile.contact.email ?? provider.profile.letters.senderEmail,
    inboundEmailDomain: options.inboundEmailDomain,
    webAclArn: edge?.webAcl.attrArn,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, data, workflow, edge };
}
