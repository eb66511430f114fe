import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiEvent } from '../lib/middleware.ts';
import { PAGE_ROUTES } from '../routes.ts';
import * as residentPages from './resident-pages.ts';
import * as staffPages from './staff-pages.ts';
import * as signIn from './staff-sign-in.ts';

type Handler = (event: ApiEvent, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

const MODULES: Record<string, Record<string, unknown>> = {
  'web/resident-pages': residentPages,
  'web/staff-sign-in': signIn,
  'web/staff-pages': staffPages,
};

/** Route key → page handler, for the one Lambda that serves every page (the HTTP API passes routeKey). */
const BY_ROUTE_KEY = new Map<string, Handler>(
  PAGE_ROUTES.filter((route) => MODULES[route.module]).map((route) => {
    const handler = MODULES[route.module]?.[route.exportName];
    if (typeof handler !== 'function')
      throw new Error(`functions/${route.module}.ts has no export ${route.exportName}`);
    return [`${route.method} ${route.path}`, handler as Handler];
  }),
);

export const handler = async (
  event: ApiEvent,
  context: unknown,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const page = BY_ROUTE_KEY.get(event.routeKey);
  if (!page)
    return { statusCode: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not found' };
  return page(event, context);
};
