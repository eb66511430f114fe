import { STAFF_PAGE_ROUTES } from '../../routes.ts';
import { pageRouter } from '../router.ts';
import * as pages from '../staff-pages.ts';

/** The Lambda of the staff console (PAGE_FUNCTIONS in functions/routes.ts). */
export const handler = pageRouter(STAFF_PAGE_ROUTES, pages);
