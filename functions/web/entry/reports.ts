import { REPORT_PAGE_ROUTES } from '../../routes.ts';
import * as pages from '../report-pages.ts';
import { pageRouter } from '../router.ts';

/** The Lambda of the reports (PAGE_FUNCTIONS in functions/routes.ts). */
export const handler = pageRouter(REPORT_PAGE_ROUTES, pages);
