import { refreshReportMonths } from '#shared/usecases/report.ts';
import { scheduledJob } from '../lib/middleware.ts';

/**
 * The daily build of report months: stores the tally of each closed London month that has none or whose facts
 * changed since (shared/usecases/report.ts), so the annual report never reads a closed month case by case. In
 * AWS an EventBridge Scheduler schedule invokes it daily; locally the virtual clock's daily tick calls this same
 * export. It answers with the months it built (no personal data).
 */
export const handler = scheduledJob((deps) => refreshReportMonths(deps));
