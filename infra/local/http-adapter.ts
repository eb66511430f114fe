import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
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

/** A path that is not valid percent-encoding: API Gateway would not route it either. */
export class BadPathError extends Error {
  override readonly name = 'BadPathError';
}

export function matchRoute(routes: readonly BoundRoute[], method: string, path: string) {
  for (const bound of routes) {
    if (bound.route.method !== method) continue;
    const match = bound.pattern.exec(path);
    if (!match) continue;
    const pathParameters = Object.fromEntries(
      bound.parameterNames.map((name, index) => {
        try {
          return [name, decodeURIComponent(match[index + 1] ?? '')];
        } catch {
          throw new BadPathError(
            `The address is not valid: "%" must be followed by two hexadecimal digits (in ${name}). Check the link and try again.`,
          );
        }
      }),
    );
    return { bound, pathParameters };
  }
  return undefined;
}

/** A body larger than the HTTP API accepts (it answers 413 itself, before any Lambda runs). */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(
    readonly limit: number,
    /** The body ran past the drain limit too: the rest is not read, and the connection must close. */
    readonly closeConnection = false,
  ) {
    super(
      `The request is larger than ${limit / (1024 * 1024)} MB, the most this service accepts. Send less (smaller or fewer files).`,
    );
  }
}

/** How far past its limit a body is read (and dropped) to keep the connection for the next request. */
export const DRAIN_LIMIT_FACTOR = 2;

/**
 * The request's bytes, up to the limit. Past the limit nothing more is kept, but the rest is read and
 * dropped, so the kept-alive connection stays usable for the 413 answer and the next request; past
 * `DRAIN_LIMIT_FACTOR` times the limit (a huge or unending body) reading stops at once, and the error says
 * the connection must close.
 */
export function readBytes(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  // Events, not `for await`: leaving an async iterator early destroys the socket before the 413 can go out.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void) => {
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit * DRAIN_LIMIT_FACTOR) {
        request.pause();
        settle(() => reject(new BodyTooLargeError(limit, true)));
      }
    };
    const onEnd = () =>
      settle(() =>
        size > limit
          ? reject(new BodyTooLargeError(limit))
          : resolve(chunks.length ? Buffer.concat(chunks) : undefined),
      );
    const onError = (error: Error) => settle(() => reject(error));
    const onClose = () => settle(() => reject(new Error('The client closed the connection mid-request')));
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** How long a connection closed after an unread body keeps reading (at most its limit again) before it goes. */
const LINGER_MS = 2_000;

/**
 * Closes the connection of a request whose body was left unread, once its answer is out. Destroying a socket
 * with unread data resets the connection, and the reset can reach the client before the answer does, so the
 * answer is followed by a FIN and what the client is still sending is read and dropped (never kept) until it
 * closes its side, for at most LINGER_MS or `limit` more bytes (a lingering close, as web servers do).
 */
export function closeAfterAnswer(request: IncomingMessage, limit: number): void {
  const socket = request.socket;
  const destroy = () => socket.destroy();
  let dropped = 0;
  request.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > limit) destroy();
  });
  request.resume();
  // Node closes a `connection: close` answer's socket with destroySoon (end, then destroy at once).
  socket.destroySoon = () => {
    socket.end();
    socket.once('end', destroy);
    setTimeout(destroy, LINGER_MS).unref();
  };
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
export function eventBody(
  bytes: Buffer | undefined,
  contentType: string | undefined,
): { body?: string; isBase64Encoded: boolean } {
  if (!bytes) return { isBase64Encoded: false };
  return isText(contentType)
    ? { body: bytes.toString('utf8'), isBase64Encoded: false }
    : { body: bytes.toString('base64'), isBase64Encoded: true };
}

/** Builds the API Gateway HTTP API (payload v2) event the Lambda would receive for this request. */
export function toApiEvent(options: {
  headers: IncomingHttpHeaders;
  sourceIp?: string;
  url: URL;
  route: RouteDefinition;
  pathParameters: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  claims?: Record<string, unknown>;
  now: Date;
}): ApiEvent {
  const { url, route } = options;
  const headers = Object.fromEntries(
    Object.entries(options.headers).map(([name, value]) => [
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
        sourceIp: options.sourceIp ?? '127.0.0.1',
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

/** One request as the local server received it: the path and query still percent-encoded as sent. */
export interface LocalRequest {
  method: string;
  target: string;
  headers: IncomingHttpHeaders;
  body?: Buffer;
  sourceIp?: string;
}

const problem = (statusCode: number, error: string, message: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify({ error, message }),
});

/**
 * What API Gateway does before a Lambda runs: route the request, decode its path parameters, build the
 * payload v2 event and call the route's handler. The local server and the in-process tests both use it.
 */
export async function dispatch(
  routes: readonly BoundRoute[],
  request: LocalRequest,
  options: {
    origin: string;
    now: Date;
    claims?: (route: RouteDefinition) => Record<string, unknown> | undefined;
  },
): Promise<APIGatewayProxyStructuredResultV2> {
  const url = new URL(request.target, options.origin);
  let matched: ReturnType<typeof matchRoute>;
  try {
    matched = matchRoute(routes, request.method, url.pathname);
  } catch (error) {
    if (error instanceof BadPathError) return problem(400, 'BAD_PATH', error.message);
    throw error;
  }
  if (!matched) return problem(404, 'NOT_FOUND', `No route ${request.method} ${url.pathname}`);
  const event = toApiEvent({
    headers: request.headers,
    sourceIp: request.sourceIp,
    url,
    route: matched.bound.route,
    pathParameters: matched.pathParameters,
    ...eventBody(request.body, request.headers['content-type']),
    claims: options.claims?.(matched.bound.route),
    now: options.now,
  });
  return matched.bound.handler(event, {});
}

/** The HTTP API's own answer to a body over its limit (closing the connection if the body was not read). */
export function tooLargeResult(error: BodyTooLargeError): APIGatewayProxyStructuredResultV2 {
  const result = problem(413, 'TOO_LARGE', error.message);
  return error.closeConnection ? { ...result, headers: { ...result.headers, connection: 'close' } } : result;
}

export function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
}
