import * as pages from '../records-pages.ts';
import { pageRouter } from '../router.ts';

/** The Lambda of the subject access pages (PAGE_FUNCTIONS in functions/routes.ts). */
export const handler = pageRouter('web/records-pages', pages);
