/**
 * Managers' pages, as functions/routes.ts names them (module `web/report-pages`): breaches and handler load,
 * the annual report, themes and root causes, and the improvements register. Its own Lambda.
 */
export { annualReportAction, annualReportPage } from './staff/pages/annual-report.ts';
export { improvementsAction, improvementsPage } from './staff/pages/improvements.ts';
export { managerPage } from './staff/pages/manager.ts';
export { themesPage } from './staff/pages/themes.ts';
