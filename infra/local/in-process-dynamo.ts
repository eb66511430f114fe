import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';

/**
 * The runtime's DynamoDB client's signer: it marks each request signed without computing a signature. dynalite
 * checks only that a request carries a SigV4 signature's parts (an Authorization header with Credential,
 * SignedHeaders and Signature, and an X-Amz-Date), never the signature itself; computing one (the SDK builds a
 * signer per request, then a canonical request and four HMACs) was about 7 % of the local runtime's CPU in the
 * intake and lifecycle benchmarks' profiles (issue 12). The values are placeholders dynalite does not read.
 */
export const unsignedForDynalite = {
  async sign(request: HttpRequest): Promise<HttpRequest> {
    request.headers.authorization =
      'AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-2/dynamodb/aws4_request, SignedHeaders=host, Signature=unsigned';
    request.headers['x-amz-date'] = '20260101T000000Z';
    return request;
  },
};

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The SDK's transport for the runtime's own DynamoDB client: each request goes straight to dynalite's request
 * listener in this process instead of through a socket to its HTTP server. On this machine the loopback HTTP
 * round trip (client and server sides, both in this process) was about a third of each call's CPU (issue 12),
 * and an idle keep-alive socket that dynalite's server closed just as the client reused it reset a request
 * (ECONNRESET), which dynalite's listener rethrows: under load that crashed the lifecycle benchmark. The server
 * still listens, for any other client (tests that open their own connection).
 */
export function inProcessDynamo(
  server: Server,
): RequestHandler<HttpRequest, HttpResponse> & { drained(capMs?: number): Promise<boolean> } {
  const listener = server.listeners('request')[0] as Listener | undefined;
  if (!listener) throw new Error('dynalite server has no request listener');
  let inFlight = 0;
  const onDrained = new Set<() => void>();
  const finished = () => {
    inFlight--;
    if (inFlight > 0) return;
    for (const resolve of onDrained) resolve();
    onDrained.clear();
  };
  return {
    metadata: { handlerProtocol: 'in-process' },
    /**
     * Resolves true once no request is being answered. Stopping closes dynalite's store; a write still under way
     * in it (an item's index entries written, the item not yet) then fails inside dynalite with "Database is
     * closed", thrown where no caller can catch it. false: requests were still under way after `capMs`.
     */
    drained(capMs = 5_000) {
      if (inFlight === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        // setInterval, cleared at its first call: the local runtime's virtual clock fakes setTimeout (the global
        // and node:timers') and would drop the cap when uninstalled, or fire it early when moved forward.
        const cap = setInterval(() => {
          clearInterval(cap);
          onDrained.delete(done);
          resolve(false);
        }, capMs);
        const done = () => {
          clearInterval(cap);
          resolve(true);
        };
        onDrained.add(done);
      });
    },
    handle: (request) =>
      new Promise<{ response: HttpResponse }>((answered, failed) => {
        inFlight++;
        // Counted out once, whichever comes first: dynalite may throw after it has answered.
        let counted = true;
        const countOut = () => {
          if (counted) finished();
          counted = false;
        };
        // The caller settled first, then the count: a wait for the drain hears of it after the answer.
        const resolve = (value: { response: HttpResponse }) => {
          answered(value);
          countOut();
        };
        const reject = (error: unknown) => {
          failed(error);
          countOut();
        };
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
        const incoming = Object.assign(new EventEmitter(), {
          method: request.method,
          url: request.path || '/',
          headers,
        });
        const answer: Record<string, string> = {};
        const outgoing = {
          statusCode: 200,
          setHeader(name: string, value: string | number) {
            answer[name.toLowerCase()] = String(value);
          },
          end(body?: string) {
            resolve({
              response: {
                statusCode: outgoing.statusCode,
                headers: answer,
                body: Buffer.from(body ?? '', 'utf8'),
              },
            });
          },
        };
        try {
          listener(incoming as unknown as IncomingMessage, outgoing as unknown as ServerResponse);
          const body = request.body as string | Uint8Array | undefined;
          if (body !== undefined && body.length > 0) {
            incoming.emit(
              'data',
              typeof body === 'string'
                ? Buffer.from(body, 'utf8')
                : // A view, not Buffer.from(body): the SDK's JSON body is a Uint8Array that warns when read as text.
                  Buffer.from(body.buffer, body.byteOffset, body.byteLength),
            );
          }
          incoming.emit('end');
        } catch (error) {
          // dynalite throws on what it does not expect; the SDK gets it as a failed request, not a crash.
          reject(error);
        }
      }),
  };
}
