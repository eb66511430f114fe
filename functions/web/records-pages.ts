/**
 * Data protection, as functions/routes.ts names it (module `web/records-pages`): subject access (finding a person
 * and exporting everything held about them), correcting and erasing a resident's data on a case, and what the
 * next retention run will do (managers and admins). Its own Lambda: with its ZIP of letters and files it would
 * put the reports' function over 300 KB, and it is the one page function that may delete a case's files.
 */

export { personalDataAction, personalDataPage } from './staff/pages/personal-data.ts';
export { retentionPage } from './staff/pages/retention.ts';
export { subjectAccessExport, subjectAccessPage } from './staff/pages/subject-access.ts';
