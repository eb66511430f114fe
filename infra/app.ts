import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeNagFindings } from './nag.ts';
import { providerContext } from './provider-context.ts';
import { DataStack } from './stacks/data-stack.ts';
import { WorkflowStack } from './stacks/workflow-stack.ts';

export interface BuildOptions {
  provider: string;
  opsEmail?: string;
  inboundEmailDomain?: string;
  outdir?: string;
}

/** One stack set per housing provider; every name derives from the provider id. */
export function buildApp(
  options: BuildOptions,
  app = new App({ outdir: options.outdir }),
): { app: App; data: DataStack; workflow: WorkflowStack } {
  const provider = providerContext(options.provider);
  const id = provider.profile.id
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
  const data = new DataStack(app, `Complaints${id}Data`, provider);
  const workflow = new WorkflowStack(app, `Complaints${id}Workflow`, provider, {
    data,
    opsEmail: options.opsEmail ?? provider.profile.contact.email ?? provider.profile.letters.senderEmail,
    inboundEmailDomain: options.inboundEmailDomain,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  acknowledgeNagFindings(data, workflow);
  return { app, data, workflow };
}
