/**
 * The staff console's page handlers, as functions/routes.ts names them (module `web/staff-pages`). Each page
 * lives in functions/web/staff/pages/, each action's form in functions/web/staff/actions/.
 */

export { annualReportAction, annualReportPage } from './staff/pages/annual-report.ts';
export { downloadAttachment } from './staff/pages/attachment.ts';
export { casePage, recordOnCase, taskAction } from './staff/pages/case.ts';
export { evidencePack } from './staff/pages/evidence-pack.ts';
export {
  downloadHeldEmailRaw,
  heldEmailAction,
  heldEmailList,
  heldEmailPage,
} from './staff/pages/held-email.ts';
export { improvementsAction, improvementsPage } from './staff/pages/improvements.ts';
export { logComplaint, logComplaintForm } from './staff/pages/log-complaint.ts';
export { managerPage } from './staff/pages/manager.ts';
export { queuePage } from './staff/pages/queue.ts';
export { downloadEmail } from './staff/pages/raw-email.ts';
export { searchPage } from './staff/pages/search.ts';
export { subjectAccessExport, subjectAccessPage } from './staff/pages/subject-access.ts';
export { themesPage } from './staff/pages/themes.ts';
