import * as z from 'zod/mini';
import { recordReceipt } from '#shared/usecases/workflow.ts';
import { workflowTask } from '../lib/middleware.ts';

export const handler = workflowTask(
  () => z.object({ caseId: z.string().check(z.minLength(1)) }),
  (deps, input) => recordReceipt(deps, input.caseId),
);
