/**
 * The staff case page and its actions' forms, as functions/routes.ts names them (module `web/case-pages`):
 * its own Lambda, the largest of the staff pages (every action's form and the letters they preview).
 */
export { casePage, recordOnCase, taskAction } from './staff/pages/case.ts';
