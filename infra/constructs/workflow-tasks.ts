import type { FunctionUses } from './app-functions.ts';

/**
 * What a workflow step uses: every step settles the letters its case owes (`settleLetters` in
 * `shared/usecases/workflow.ts`), by email or stored for posting, so each one is granted both. The stack
 * grants from this, and the local runtime refuses a step the mail or letters its `uses` does not grant.
 */
const SETTLES_LETTERS = { table: 'readWrite', letters: true, mail: true } as const satisfies FunctionUses;

/**
 * The state machine's functions, the ASL substitution each one fills, and what each one uses. Kept free of
 * CDK imports: the local runtime reads it to give each step only what the stack grants it.
 */
export const WORKFLOW_TASKS = [
  {
    substitution: 'RecordReceiptFunctionArn',
    module: 'workflow/record-receipt',
    name: 'record-receipt',
    // The acknowledgement of receipt is the first letter a case owes.
    uses: SETTLES_LETTERS,
  },
  {
    substitution: 'SendNotificationsFunctionArn',
    module: 'workflow/send-notifications',
    name: 'send-notifications',
    uses: SETTLES_LETTERS,
  },
  {
    substitution: 'RegisterTaskFunctionArn',
    module: 'workflow/register-task',
    name: 'register-task',
    // Also tells staff of the new task.
    uses: SETTLES_LETTERS,
  },
  {
    substitution: 'CheckDeadlineFunctionArn',
    module: 'workflow/check-deadline',
    name: 'check-deadline',
    // Also sends staff reminders and breaches.
    uses: SETTLES_LETTERS,
  },
  {
    substitution: 'CloseCaseFunctionArn',
    module: 'workflow/close-case',
    name: 'close-case',
    uses: SETTLES_LETTERS,
  },
] as const satisfies ReadonlyArray<{
  substitution: string;
  module: string;
  name: string;
  uses: FunctionUses;
}>;
