import { z } from 'zod';
import { sendOwedLetters } from '#shared/usecases/notify.ts';
import { currentPosition } from '#shared/usecases/workflow.ts';
import { workflowTask } from '../lib/middleware.ts';

export const handler = workflowTask(z.object({ caseId: z.string().min(1) }), async (deps, input) => {
  await sendOwedLetters(deps, input.caseId);
  return currentPosition(deps, input.caseId);
});
