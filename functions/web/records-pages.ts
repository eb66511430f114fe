/**
 * Subject access, as functions/routes.ts names it (module `web/records-pages`): finding a person and exporting
 * everything held about them (managers and admins). Its own Lambda: with its ZIP of letters and files it
 * would put the reports' function over 300 KB.
 */
export { subjectAccessExport, subjectAccessPage } from './staff/pages/subject-access.ts';
