/** The Step Functions operations the application uses; the same port in AWS and locally. */
export interface WorkflowEngine {
  /** Starts an execution named after the case; starting the same name twice is not an error. */
  startExecution(name: string, input: unknown): Promise<{ executionArn: string; alreadyStarted: boolean }>;
  /** Completes a callback; throws TaskNotOpenError when the token has timed out or was already used. */
  sendTaskSuccess(token: string, output: unknown): Promise<void>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<void>;
}
