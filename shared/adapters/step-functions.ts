import type { SFNClient } from '@aws-sdk/client-sfn';
import { TaskNotOpenError } from '../domain/errors.ts';
import type { WorkflowEngine } from '../ports/workflow-engine.ts';
import { type ClientSource, clientOf } from './sdk-client.ts';

const sdk = () => import('@aws-sdk/client-sfn');

const DEAD_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

function deadToken(error: unknown): never {
  const name = (error as { name?: string }).name ?? '';
  if (DEAD_TOKEN_ERRORS.has(name)) {
    throw new TaskNotOpenError(
      name === 'TaskTimedOut'
        ? 'The workflow stopped waiting for this task (its deadline check ran); reload the case to see the new task'
        : 'The workflow is no longer waiting for this task',
      { reason: name },
    );
  }
  throw error;
}

/** Attempts at a callback (on top of the SDK's own retries) before the caller is told to try again. */
const CALLBACK_ATTEMPTS = 5;

/** Throttled, or failing on AWS's side: the same call may succeed a moment later. */
function throttledOrFailing(error: unknown): boolean {
  const { name, $fault, $retryable } = (error ?? {}) as {
    name?: string;
    $fault?: string;
    $retryable?: { throttling?: boolean };
  };
  return name === 'ThrottlingException' || $retryable?.throttling === true || $fault === 'server';
}

/** Up to 100, 200, 400, 800 ms, at random within each, so throttled callers spread out. */
function jitteredPause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * 2 ** (attempt - 1)));
}

export class StepFunctionsEngine implements WorkflowEngine {
  private readonly client: () => Promise<SFNClient>;

  constructor(
    private readonly stateMachineArn: string | undefined,
    client: ClientSource<SFNClient> = async () => new (await sdk()).SFNClient({}),
    private readonly pause: (attempt: number) => Promise<void> = jitteredPause,
  ) {
    this.client = clientOf(client);
  }

  async startExecution(name: string, input: unknown) {
    if (!this.stateMachineArn) {
      throw new Error('This function cannot start executions: STATE_MACHINE_ARN is not configured for it');
    }
    const [{ ExecutionAlreadyExists, StartExecutionCommand }, client] = await Promise.all([
      sdk(),
      this.client(),
    ]);
    try {
      const result = await client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
      return { executionArn: result.executionArn ?? '', alreadyStarted: false };
    } catch (error) {
      if (
        error instanceof ExecutionAlreadyExists ||
        (error as { name?: string }).name === 'ExecutionAlreadyExists'
      ) {
        const machineArn = this.stateMachineArn.replace(/:live$/, '');
        const executionArn = `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;
        return { executionArn, alreadyStarted: true };
      }
      throw error;
    }
  }

  /**
   * The staff action's event is already recorded and its task closed when this runs, so giving up on a
   * throttled call leaves the execution waiting until the step's timeout: try a few more times first.
   */
  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    const [{ SendTaskSuccessCommand }, client] = await Promise.all([sdk(), this.client()]);
    const command = new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) });
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(command);
        return;
      } catch (error) {
        if (attempt >= CALLBACK_ATTEMPTS || !throttledOrFailing(error)) deadToken(error);
        await this.pause(attempt);
      }
    }
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    const [{ SendTaskFailureCommand }, client] = await Promise.all([sdk(), this.client()]);
    await client.send(new SendTaskFailureCommand({ taskToken: token, error, cause })).catch(deadToken);
  }
}
