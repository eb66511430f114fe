import { RECORDS_PAGE_ROUTES } from '../../routes.ts';
import * as pages from '../records-pages.ts';
import { pageRouter } from '../router.ts';

/** The Lambda of the subject access pages (PAGE_FUNCTIONS in functions/routes.ts). */
export const handler = pageRouter(RECORDS_PAGE_ROUTES, pages);
