import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiEvent } from '../../functions/lib/middleware.ts';
import type { RouteDefinition } from '../../functions/routes.ts';

type Handler = (event: ApiEvent, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

export interface BoundRoute {
  route: RouteDefinition;
  pattern: RegExp;
  parameterNames: string[];
  handler: Handler;
}

/** Loads every route's handler export: the same modules the Lambdas bundle. */
export async function bindRoutes(routes: readonly RouteDefinition[]): Promise<BoundRoute[]> {
  return Promise.all(
    routes.map(async (route) => {
      const file = new URL(`../../functions/${route.module}.ts`, import.meta.url).href;
      const module = (await import(/* @vite-ignore */ file)) as Record<string, Handler>;
      const handler = module[route.exportName];
      if (!handler) throw new Error(`functions/${route.module}.ts has no export ${route.exportName}`);
      const parameterNames: string[] = [];
      const source = route.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
        const greedy = name.endsWith('+');
        parameterNames.push(greedy ? name.slice(0, -1) : name);
        return greedy ? '(.+)' : '([^/]+)';
      });
      return { route, pattern: new RegExp(`^${source}/?$`), parameterNames, handler };
    }),
  );
}

export function matchRoute(routes: readonly BoundRoute[], method: string, path: string) {
  for (const bound of routes) {
    if (bound.route.method !== method) continue;
    const match = bound.pattern.exec(path);
    if (!match) continue;
    const pathParameters = Object.fromEntries(
      bound.parameterNames.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
    );
    return { bound, pathParameters };
  }
  return undefined;
}

/** The request's bytes, up to the limit (and just past it, so the handler can tell it was exceeded). */
export async function readBytes(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    // Read past the limit only far enough to know it was exceeded; the handler answers 413.
    if (size > limit) break;
  }
  return chunks.length ? Buffer.concat(chunks) : undefined;
}

export async function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  return (await readBytes(request, limit))?.toString('utf8');
}

/** Text bodies pass as they are; API Gateway base64-encodes everything else (binary media). */
function isText(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type === '' ||
    type === 'application/json' ||
    type === 'application/x-www-form-urlencoded' ||
    type.startsWith('text/')
  );
}

/** The body as the HTTP API would put it in the event: text as it is, anything else (files) base64. */
export async function readEventBody(
  request: IncomingMessage,
  limit: number,
): Promise<{ body?: string; isBase64Encoded: boolean }> {
  const bytes = await readBytes(request, limit);
  if (!bytes) return { isBase64Encoded: false };
  return isText(request.headers['content-type'])
    ? { body: bytes.toString('utf8'), isBase64Encoded: false }
    : { body: bytes.toString('base64'), isBase64Encoded: true };
}

/** Builds the API Gateway HTTP API (payload v2) event the Lambda would receive for this request. */
export function toApiEvent(options: {
  request: IncomingMessage;
  url: URL;
  route: RouteDefinition;
  pathParameters: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  claims?: Record<string, unknown>;
  now: Date;
}): ApiEvent {
  const { request, url, route } = options;
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name.toLowerCase(),
      Array.isArray(value) ? value.join(',') : (value ?? ''),
    ]),
  );
  const query = Object.fromEntries(url.searchParams.entries());
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    cookies: headers.cookie ? headers.cookie.split(/;\s*/) : undefined,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(options.pathParameters).length ? options.pathParameters : undefined,
    body: options.body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey,
      stage: '$default',
      time: options.now.toUTCString(),
      timeEpoch: options.now.getTime(),
      ...(options.claims ? { authorizer: { jwt: { claims: options.claims, scopes: [] } } } : {}),
    },
  } as unknown as ApiEvent;
}

export function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
}
