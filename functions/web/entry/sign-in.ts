import { SIGN_IN_ROUTES } from '../../routes.ts';
import { pageRouter } from '../router.ts';
import * as pages from '../staff-sign-in.ts';

/** The Lambda of the staff sign-in (PAGE_FUNCTIONS in functions/routes.ts). */
export const handler = pageRouter(SIGN_IN_ROUTES, pages);
