import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * One capability of the service (the workflow, the API, the staff directory, mail…): a construct that builds
 * its resources, their grants and their cdk-nag acknowledgements, for a {@link CapabilityStack} to wire.
 *
 * A capability's own id is left out of the CloudFormation logical ids of the resources under it, the way
 * CDK leaves out an id of "Default". The resources were first built inline in the stacks: keeping their
 * logical ids means moving them into a capability (or from one capability to another) replaces nothing on
 * deploy. The cost is one namespace per stack: two capabilities must not give children the same id (the
 * synth fails with "already contains" if they do).
 *
 * @example
 * class Mail extends Capability {
 *   constructor(scope: Construct, id: string, props: MailProps) {
 *     super(scope, id);
 *     new ses.ConfigurationSet(this, 'Mail', { ... }); // logical id "Mail", as when the stack built it
 *   }
 * }
 */
export class Capability extends Construct {}

/** A stack of capabilities: it wires them, and leaves their ids out of logical ids (see {@link Capability}). */
export class CapabilityStack extends Stack {
  protected override allocateLogicalId(element: CfnElement): string {
    const scopes = element.node.scopes.filter((scope) => !(scope instanceof Capability));
    // CDK's own naming (hash, "Default" and "Resource" rules) over the path without the capabilities.
    const path = { node: { scopes }, stack: element.stack } as unknown as CfnElement;
    return super.allocateLogicalId(path);
  }
}
