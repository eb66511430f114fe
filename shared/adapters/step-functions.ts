import {
  ExecutionAlreadyExists,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { TaskNotOpenError } from '../domain/errors.ts';
import type { WorkflowEngine } from '../ports/workflow-engine.ts';

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

export class StepFunctionsEngine implements WorkflowEngine {
  constructor(
    private readonly stateMachineArn: string | undefined,
    private readonly client: SFNClient = new SFNClient({}),
  ) {}

  async startExecution(name: string, input: unknown) {
    if (!this.stateMachineArn) {
      throw new Error('This function cannot start executions: STATE_MACHINE_ARN is not configured for it');
    }
    try {
      const result = await this.client.send(
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

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    await this.client
      .send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }))
      .catch(deadToken);
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    await this.client.send(new SendTaskFailureCommand({ taskToken: token, error, cause })).catch(deadToken);
  }
}
