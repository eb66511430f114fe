import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Instrument } from '#shared/adapters/aws-clients.ts';

/**
 * Set (`true`) by the stacks when deployed with `-c traceSdkCalls=true` (HouseFunction); unset, the Powertools
 * tracer is never imported.
 */
export const TRACE_SDK_CALLS = 'TRACE_SDK_CALLS';

/*
 * Lambda's active tracing (every function's `tracing: Active`) records each invocation, its init and its
 * duration without any code here. The Powertools tracer adds a subsegment per AWS SDK call and one for the
 * handler (with the cold-start annotation), but importing it and the X-Ray SDK under it took about half the
 * DynamoDB-only baseline in every function's cold start (ADR 0015), so it is imported, before the handler
 * runs, only when the stack asks for it.
 */
const powertools =
  process.env[TRACE_SDK_CALLS] === 'true'
    ? await Promise.all([
        import('@aws-lambda-powertools/tracer'),
        import('@aws-lambda-powertools/tracer/middleware'),
      ])
    : undefined;
const tracer = powertools && new powertools[0].Tracer();

type Middleware = middy.MiddlewareObj<unknown, unknown, Error, Context>;

/** The tracing every stack and SDK client gets: none but Lambda's own unless TRACE_SDK_CALLS is `true`. */
export const tracing = {
  /** Whether the Powertools tracer is loaded in this function. */
  enabled: tracer !== undefined,
  /** Wraps an SDK client so each call is a subsegment; returns it as it is when the tracer is not loaded. */
  instrument: ((client) => (tracer ? tracer.captureAWSv3Client(client) : client)) as Instrument,
  /** The handler's subsegment, or nothing to add to the stack. */
  handler(): Middleware | undefined {
    return tracer && powertools?.[1].captureLambdaHandler(tracer, { captureResponse: false });
  },
};
