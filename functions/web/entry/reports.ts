import * as pages from '../report-pages.ts';
import { pageRouter } from '../router.ts';

/** The Lambda of the reports (PAGE_FUNCTIONS in functions/routes.ts). */
export const handler = pageRouter('web/report-pages', pages);
