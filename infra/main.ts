import { App } from 'aws-cdk-lib';
import { buildApp } from './app.ts';

// `npx cdk synth -c provider=<preset id or path>`. One App only: a second would auto-synthesise an
// empty assembly over this one when the process exits.
const app = new App();
const context = (name: string) => app.node.tryGetContext(name) as string | undefined;
const provider = context('provider');
if (!provider)
  throw new Error('Give the provider: npx cdk synth -c provider=<preset id or path to profile.json>');
buildApp(
  {
    provider,
    opsEmail: context('opsEmail'),
    inboundEmailDomain: context('inboundEmailDomain'),
    // Only WAF needs them (a web ACL in us-east-1 referenced across regions).
    account: context('account') ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: context('region') ?? process.env.CDK_DEFAULT_REGION,
  },
  app,
).app.synth();
