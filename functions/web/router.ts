import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiEvent } from '../lib/middleware.ts';
import type { RouteDefinition } from '../routes.ts';

type Handler = (event: ApiEvent, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The handler of one page module's Lambda (PAGE_FUNCTIONS in functions/routes.ts): each of the module's
 * routes (its list in functions/routes.ts), by the route key the HTTP API passes, to the export named for it.
 */
export function pageRouter(routes: readonly RouteDefinition[], exports: Record<string, unknown>) {
  const byRouteKey = new Map<string, Handler>(
    routes.map((route) => {
      const handler = exports[route.exportName];
      if (typeof handler !== 'function')
        throw new Error(`functions/${route.module}.ts has no export ${route.exportName}`);
      return [`${route.method} ${route.path}`, handler as Handler];
    }),
  );
  return async (event: ApiEvent, context: unknown): Promise<APIGatewayProxyStructuredResultV2> => {
    const page = byRouteKey.get(event.routeKey);
    if (!page)
      return { statusCode: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not found' };
    return page(event, context);
  };
}
