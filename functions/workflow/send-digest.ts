import { dailyRun } from '#shared/usecases/workflow.ts';
import { scheduledJob } from '../lib/middleware.ts';

/**
 * The daily run: resends every workflow callback still owed, then sends the working-morning digest of new
 * tasks. In AWS an EventBridge Scheduler schedule invokes it at 08:00 London time Monday to Friday (the digest
 * skips bank holidays and closure days itself); locally the virtual clock's daily tick calls this same export.
 */
export const handler = scheduledJob((deps) => dailyRun(deps));
