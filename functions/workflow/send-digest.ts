import { sendTaskDigests } from '#shared/usecases/notify.ts';
import { scheduledJob } from '../lib/middleware.ts';

/**
 * The working-morning digest of new tasks. In AWS an EventBridge Scheduler schedule invokes it at 08:00 London
 * time Monday to Friday (it skips bank holidays and closure days itself); locally the virtual clock's daily
 * tick calls this same export.
 */
export const handler = scheduledJob((deps) => sendTaskDigests(deps));
