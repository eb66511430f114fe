import { TaskNotOpenError } from '#shared/domain/errors.ts';
import type { WorkflowEngine } from '#shared/ports/workflow-engine.ts';

/**
 * Step Functions as the use cases see it: executions by name, and callbacks that complete once. A test opens
 * the callbacks the state machine would be waiting on (`waitFor`) and reads what each was completed with.
 */
export class FakeWorkflowEngine implements WorkflowEngine {
  readonly executions = new Map<string, unknown>();
  /** Each waiting callback's outcome: undefined while it waits. */
  readonly callbacks = new Map<string, { output: unknown } | { error: string; cause: string } | undefined>();

  async startExecution(name: string, input: unknown) {
    const executionArn = `arn:aws:states:eu-west-2:123456789012:execution:fake:${name}`;
    if (this.executions.has(name)) return { executionArn, alreadyStarted: true };
    this.executions.set(name, structuredClone(input));
    return { executionArn, alreadyStarted: false };
  }

  /** The state machine is now waiting on this token. */
  waitFor(token: string): void {
    this.callbacks.set(token, undefined);
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    this.complete(token, { output: structuredClone(output) });
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    this.complete(token, { error, cause });
  }

  private complete(token: string, outcome: { output: unknown } | { error: string; cause: string }) {
    if (!this.callbacks.has(token) || this.callbacks.get(token) !== undefined) {
      throw new TaskNotOpenError(
        'The workflow is no longer waiting for this task (it timed out or was completed)',
      );
    }
    this.callbacks.set(token, outcome);
  }
}
