import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ParseError } from '@aws-lambda-powertools/parser';
import type middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { $ZodError } from 'zod/v4/core';
import { ValidationError } from '#shared/domain/errors.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { toHttpError } from './errors.ts';
import { logger, logUnhandled, metrics, redact } from './observability.ts';
import { checkOrigin } from './origin.ts';
import { type ApiEvent, checkPathParameters, json, jsonBody } from './request.ts';
import { HttpSettings, readSecret, settings } from './settings.ts';
import { tracing } from './tracing.ts';

/*
 * The stacks' concerns, one middleware each; the stacks themselves are in middleware.ts (and asset-route.ts,
 * s3-objects.ts, web/route.ts). Nothing here imports config.ts, so the static-files function, which has no
 * table or use case, bundles no adapter: `withDependencies`, which builds the adapters, stays with the stacks.
 */

/** The Lambda context once the stack has run: the function's adapters, and the parsed JSON body. */
export type StackContext = Context & { deps: AppDependencies; body?: unknown };

type Middleware<Event, Result = unknown> = middy.MiddlewareObj<Event, Result, Error, Context>;

/**
 * Adds values to this invocation's context. The context the caller passed is never written to: callers
 * (the local runtime, tests) may share one object between concurrent invocations, so the request gets its
 * own context that inherits every Lambda field and method from the caller's.
 */
export function extendContext(request: { context: Context }, values: Record<string, unknown>): void {
  request.context = Object.assign(Object.create(request.context) as Context, values);
}

/**
 * Validates the function kind's settings on every request (cheaply: they are parsed again only when the
 * environment changes), so a misconfigured function fails at cold start with what to set.
 * @example middy().use(configured(HttpSettings))
 */
export function configured(schemaOf: () => z.ZodMiniObject): Middleware<unknown> {
  return { before: () => void settings(schemaOf) };
}

/**
 * Observability every stack shares: the Lambda context on each log line, the handler traced (when the stack
 * turns the tracer on), metrics sent.
 */
export function observed<Event, Result>(stack: middy.MiddyfiedHandler<Event, Result, Error, Context>) {
  const traced = tracing.handler();
  return stack
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(traced ? [traced] : [])
    .use(flushMetrics());
}

/** With WAF on, refuses a request that did not come through CloudFront (ADR 0003); without it, does nothing. */
export function verifyOrigin(): Middleware<ApiEvent> {
  return {
    before: async (request) => {
      const { ORIGIN_VERIFY_SECRET_ARN } = settings(HttpSettings);
      if (ORIGIN_VERIFY_SECRET_ARN)
        checkOrigin(request.event.headers, await readSecret(ORIGIN_VERIFY_SECRET_ARN));
    },
  };
}

/** Path parameters must look like ids we made before anything looks them up. */
export function checkPathIds(): Middleware<ApiEvent> {
  return { before: (request) => checkPathParameters(request.event) };
}

/** A body larger than the route accepts is a bad request, refused before it is read. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`The request is larger than ${limitBytes / 1024} KB; send attachments separately`);
  }
}

/** Refuses a body over `limitBytes` (as the event carries it: base64 for files) with BodyTooLargeError. */
export function limitBody(limitBytes: number): Middleware<ApiEvent> {
  return {
    before: (request) => {
      if ((request.event.body?.length ?? 0) > limitBytes) throw new BodyTooLargeError(limitBytes);
    },
  };
}

/** Parses the JSON body once onto `context.body` (`{}` when there is none); bad JSON is a 400. */
export function parseJson(): Middleware<ApiEvent> {
  return {
    before: (request) => {
      extendContext(request, { body: jsonBody(request.event) });
    },
  };
}

/**
 * Publishes the embedded metrics the invocation recorded, after it succeeds or fails. Unlike Powertools'
 * logMetrics it stays silent when there were none (most requests count nothing).
 */
export function flushMetrics(): Middleware<unknown> {
  const flush = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
}

const INTERNAL = {
  error: 'INTERNAL',
  message: 'Something went wrong on our side; nothing was changed. Please try again.',
};

/**
 * The one place a JSON route's errors become responses (after middy's http-error-handler): known errors
 * get their 4xx (or 503) with what to do, anything else is logged (redacted) and answers a generic 500.
 */
export function jsonErrors(): Middleware<ApiEvent, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const { error } = request;
      if (error instanceof BodyTooLargeError) {
        request.response = json(413, { error: 'TOO_LARGE', message: error.message });
        return;
      }
      const mapped = toHttpError(error);
      if (mapped) {
        request.response = json(mapped.statusCode, mapped.body);
        return;
      }
      logUnhandled('Unhandled error', request.event.routeKey, error);
      request.response = json(500, INTERNAL);
    },
  };
}

/** The one place a static file's errors become answers: plain text, 403 when refused, 500 otherwise. */
export function plainErrors(): Middleware<ApiEvent, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const statusCode = toHttpError(request.error)?.statusCode === 403 ? 403 : 500;
      if (statusCode === 500) logUnhandled('Unhandled error', request.event.routeKey, request.error);
      const body = statusCode === 403 ? 'Forbidden' : 'Something went wrong';
      request.response = { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
    },
  };
}

/** A task's invalid input, as the ASL sees it: a ValidationError saying what is wrong. */
function taskInputError(error: ParseError): ValidationError {
  const issues =
    error.cause instanceof $ZodError ? error.cause.issues.map((i) => i.message) : [error.message];
  return new ValidationError(`Workflow task input is invalid: ${issues.join('; ')}`);
}

/**
 * The one place an event-driven function's errors are handled: they are rethrown with their name (the
 * ASL's Retry and Catch match on it; SNS and S3 retry), message and stack redacted, because the runtime
 * logs a thrown error as it is and Step Functions keeps its message as the execution's `cause`.
 */
export function rethrowRedacted(): Middleware<unknown> {
  return {
    onError: (request) => {
      const error = request.error instanceof ParseError ? taskInputError(request.error) : request.error;
      logUnhandled('Workflow task failed', request.context?.functionName ?? 'workflow task', error);
      const failure = error instanceof Error ? error : new Error(String(error));
      const safe = new Error(redact(failure.message));
      safe.name = failure.name;
      safe.stack = redact(failure.stack ?? '');
      throw safe;
    },
  };
}
