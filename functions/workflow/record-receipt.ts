import * as z from 'zod';
import { recordReceipt } from '#shared/usecases/workflow.ts';
import { workflowTask } from '../lib/middleware.ts';

export const handler = workflowTask(z.object({ caseId: z.string().min(1) }), (deps, input) =>
  recordReceipt(deps, input.caseId),
);
