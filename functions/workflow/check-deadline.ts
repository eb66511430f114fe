import { z } from 'zod';
import { STEPS } from '#shared/domain/case.ts';
import { checkDeadline } from '#shared/usecases/workflow.ts';
import { workflowTask } from '../lib/middleware.ts';

export const handler = workflowTask(
  z.object({ caseId: z.string().min(1), step: z.enum(STEPS) }),
  (deps, input) => checkDeadline(deps, input),
);
