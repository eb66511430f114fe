import * as z from 'zod';
import { STEPS } from '#shared/domain/case.ts';
import { registerTask } from '#shared/usecases/workflow.ts';
import { workflowTask } from '../lib/middleware.ts';

const Input = z.object({ caseId: z.string().min(1), step: z.enum(STEPS), taskToken: z.string().min(1) });

export const handler = workflowTask(Input, (deps, input) =>
  registerTask(deps, { caseId: input.caseId, step: input.step, token: input.taskToken }),
);
