import { RESIDENT_PAGE_ROUTES } from '../../routes.ts';
import * as pages from '../resident-pages.ts';
import { pageRouter } from '../router.ts';

/** The Lambda of the resident pages (PAGE_FUNCTIONS in functions/routes.ts). */
export const handler = pageRouter(RESIDENT_PAGE_ROUTES, pages);
