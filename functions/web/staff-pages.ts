/**
 * The staff console's page handlers, as functions/routes.ts names them (module `web/staff-pages`): the queue,
 * search, held email, logging a complaint, and a case's downloads and evidence pack. The case page and its
 * actions are in `web/case-pages`, the reports in `web/report-pages`: one Lambda each (PAGE_FUNCTIONS). Each
 * page lives in functions/web/staff/pages/.
 */

export { downloadAttachment } from './staff/pages/attachment.ts';
export { evidencePack } from './staff/pages/evidence-pack.ts';
export {
  downloadHeldEmailRaw,
  heldEmailAction,
  heldEmailList,
  heldEmailPage,
} from './staff/pages/held-email.ts';
export { logComplaint, logComplaintForm } from './staff/pages/log-complaint.ts';
export { queuePage } from './staff/pages/queue.ts';
export { downloadEmail } from './staff/pages/raw-email.ts';
export { searchPage } from './staff/pages/search.ts';
