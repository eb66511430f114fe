/**
 * A value built the first time it is asked for, then kept. What a module would otherwise build while it
 * loads (zod schemas, SDK clients) goes behind one of these, so a Lambda's cold start pays only for what the
 * request it serves uses (issue 12, ADR 0018).
 * @example export const TaskAction = lazy(() => z.discriminatedUnion('action', [...]));
 */
export function lazy<T>(build: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value;
  };
}
