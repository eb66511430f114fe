import * as z from 'zod/mini';
import { STEPS } from '#shared/domain/case.ts';
import { registerTask } from '#shared/usecases/workflow.ts';
import { workflowTask } from '../lib/middleware.ts';

const Input = () =>
  z.object({
    caseId: z.string().check(z.minLength(1)),
    step: z.enum(STEPS),
    taskToken: z.string().check(z.minLength(1)),
  });

export const handler = workflowTask(Input, (deps, input) =>
  registerTask(deps, { caseId: input.caseId, step: input.step, token: input.taskToken }),
);
