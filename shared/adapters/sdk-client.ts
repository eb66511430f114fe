/**
 * An AWS SDK client given as is (tests, the local runtime) or as a builder called on first use. With the
 * builder a Lambda imports an SDK package only when the function first calls that service: importing every
 * client at cold start cost each function about as much again as the DynamoDB client (issue 12, ADR 0010).
 */
export type ClientSource<Client extends object> = Client | (() => Promise<Client>);

/** The client, built once (concurrent first calls share the one build). */
export function clientOf<Client extends object>(source: ClientSource<Client>): () => Promise<Client> {
  if (typeof source !== 'function') return async () => source;
  let built: Promise<Client> | undefined;
  return () => {
    built ??= source();
    return built;
  };
}
