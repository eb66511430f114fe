import { runRetention } from '#shared/usecases/retention.ts';
import { scheduledJob } from '../lib/middleware.ts';

/**
 * The retention job: anonymises closed cases past the profile's retention and deletes records kept for less
 * (shared/usecases/retention.ts). In AWS an EventBridge Scheduler schedule invokes it daily; locally the
 * virtual clock's daily tick calls this same export. It answers with what it did (references, no personal data).
 */
export const handler = scheduledJob((deps) => runRetention(deps, { dryRun: false }));
