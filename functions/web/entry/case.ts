import { CASE_PAGE_ROUTES } from '../../routes.ts';
import * as pages from '../case-pages.ts';
import { pageRouter } from '../router.ts';

/** The Lambda of the staff case page (PAGE_FUNCTIONS in functions/routes.ts). */
export const handler = pageRouter(CASE_PAGE_ROUTES, pages);
