import * as z from 'zod/mini';
import { STEPS } from '#shared/domain/case.ts';
import { checkDeadline } from '#shared/usecases/workflow.ts';
import { logger, workflowTask } from '../lib/middleware.ts';

/** The log line the "breaches" metric filter counts (infra/constructs/operations.ts). */
export const BREACH_LOG_MESSAGE = 'Deadline breached';

export const handler = workflowTask(
  () => z.object({ caseId: z.string().check(z.minLength(1)), step: z.enum(STEPS) }),
  async (deps, input) => {
    const position = await checkDeadline(deps, input);
    if (position.recorded === 'breach') {
      logger.warn(BREACH_LOG_MESSAGE, {
        reference: position.reference,
        step: input.step,
        dueAt: position.dueAt,
      });
    }
    return position;
  },
);
