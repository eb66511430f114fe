import * as z from 'zod/mini';
import { closeCase } from '#shared/usecases/workflow.ts';
import { workflowTask } from '../lib/middleware.ts';

export const handler = workflowTask(
  () => z.object({ caseId: z.string().check(z.minLength(1)) }),
  (deps, input) => closeCase(deps, input.caseId),
);
