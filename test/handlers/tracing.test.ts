import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** tracing.ts as a function's cold start loads it, with TRACE_SDK_CALLS as given (unset when undefined). */
async function loadTracing(traceSdkCalls: string | undefined) {
  vi.resetModules();
  vi.stubEnv('TRACE_SDK_CALLS', traceSdkCalls);
  return (await import('#functions/lib/tracing.ts')).tracing;
}

describe('tracing (ADR 0015)', () => {
  it.each([undefined, '', 'false', '1'])(
    'with TRACE_SDK_CALLS %s, loads no tracer: SDK clients are left as they are and no middleware is added',
    async (value) => {
      const capture = vi.spyOn(Tracer.prototype, 'captureAWSv3Client');
      const tracing = await loadTracing(value);
      const client = new DynamoDBClient({ region: 'eu-west-2' });
      expect(tracing.enabled).toBe(false);
      expect(tracing.instrument(client)).toBe(client);
      expect(tracing.handler()).toBeUndefined();
      expect(capture).not.toHaveBeenCalled();
    },
  );

  it('with TRACE_SDK_CALLS=true, captures every SDK client with the Powertools tracer and traces the handler', async () => {
    const capture = vi.spyOn(Tracer.prototype, 'captureAWSv3Client');
    const tracing = await loadTracing('true');
    const client = new DynamoDBClient({ region: 'eu-west-2' });
    expect(tracing.enabled).toBe(true);
    tracing.instrument(client);
    expect(capture).toHaveBeenCalledExactlyOnceWith(client);
    const middleware = tracing.handler();
    expect(typeof middleware?.before).toBe('function');
    expect(typeof middleware?.after).toBe('function');
    expect(typeof middleware?.onError).toBe('function');
  });
});
