import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import { lazy } from '#shared/lazy.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { dependencies, HttpSettings, TaskSettings } from './config.ts';
import {
  checkPathIds,
  configured,
  extendContext,
  jsonErrors,
  limitBody,
  observed,
  parseJson,
  rethrowRedacted,
  type StackContext,
  verifyOrigin,
} from './middlewares.ts';
import { type ApiEvent, MAX_BODY_BYTES } from './request.ts';
import { jsonText } from './settings.ts';

export { assetRoute } from './asset-route.ts';
export { logger } from './observability.ts';
export * from './request.ts';

/*
 * One middy stack per trigger kind. Each concern is one middleware. Every stack begins with the observability
 * middlewares (`observed`: logger, tracer, metrics) and its error handler, ahead of every other concern, so a
 * failure anywhere in the stack is both answered (or rethrown redacted) and recorded. Events are never logged
 * (they can hold tokens).
 */

/** Puts the function's adapters on the context; each SDK client is built the first time a use case needs it. */
export function withDependencies(): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: async (request) => {
      extendContext(request, { deps: await dependencies() });
    },
  };
}

/** What an HTTP API JSON route's handler is given. */
export interface ApiRequest {
  deps: AppDependencies;
  event: ApiEvent;
  /** The parsed JSON body (`{}` when there is none). */
  body: unknown;
}

/**
 * HTTP API JSON routes: origin verified, path ids checked, body size limited and parsed, then one use case;
 * every error becomes a JSON answer in `jsonErrors`.
 * @example export const handler = httpRoute(async ({ deps, body }) => json(200, await useCase(deps, body)));
 */
export function httpRoute(run: (request: ApiRequest) => Promise<APIGatewayProxyStructuredResultV2>) {
  return observed(middy<ApiEvent, APIGatewayProxyStructuredResultV2, Error, Context>())
    .use(jsonErrors())
    .use(configured(HttpSettings))
    .use(verifyOrigin())
    .use(checkPathIds())
    .use(limitBody(MAX_BODY_BYTES))
    .use(parseJson())
    .use(withDependencies())
    .handler((event, context) => {
      const { deps, body } = context as StackContext;
      return run({ deps, event, body });
    });
}

/**
 * Event-driven stacks (tasks, SES events, intake, schedules): parsed input, errors rethrown redacted. The input's
 * schema is given as a builder, called on the first event: building schemas while a function loads was most of
 * its own cold start (issue 12, ADR 0018).
 */
export function eventStack<Schema extends core.$ZodType, Result>(
  schemaOf: () => Schema,
  run: (deps: AppDependencies, input: z.infer<Schema>, context: Context) => Promise<Result>,
) {
  const parse = lazy(() => parser({ schema: schemaOf() }));
  const handler = observed(middy<unknown, Result, Error, Context>())
    .use(rethrowRedacted())
    .use(configured(TaskSettings))
    .use({ before: (request) => parse().before?.(request as never) })
    .use(withDependencies())
    .handler((event, context) => run((context as StackContext).deps, event as z.infer<Schema>, context));
  // The parser narrows the event inside the stack; callers (the state machine, SNS, S3) send anything.
  return handler as unknown as middy.MiddyfiedHandler<unknown, Result, Error, Context>;
}

/**
 * Step Functions tasks: the input is validated (a bad one is a ValidationError), one use case runs, and
 * errors keep their names so the ASL's Retry and Catch can match them.
 * @example export const handler = workflowTask(() => z.object({ caseId: z.string() }), (deps, input) => …);
 */
export const workflowTask = eventStack;

/** Scheduled jobs (EventBridge Scheduler; the local runtime's daily tick): the same shape as a task. */
export const scheduledJob = <Result>(run: (deps: AppDependencies, context: Context) => Promise<Result>) =>
  eventStack(
    () => z.looseObject({}),
    (deps, _input, context) => run(deps, context),
  );

/**
 * SNS notifications (SES events): each record's JSON message parsed with `message`; a message of another
 * shape arrives as undefined, so one odd notification never blocks the rest of the batch.
 */
export function snsMessages<Message extends core.$ZodType, Result>(
  messageOf: () => Message,
  run: (deps: AppDependencies, messages: Array<z.infer<Message> | undefined>) => Promise<Result>,
) {
  // SNS's envelope reduced to what the handler reads. Not Powertools' SnsNotificationSchema: its schemas
  // import zod whole (about 440 KB minified, every locale), which would put every function over 300 KB
  // (issue 12); and its full envelope requires signature fields the local runtime does not invent.
  const Event = () => {
    const Notification = z.object({ Message: z.catch(z.optional(jsonText(messageOf())), undefined) });
    return z.object({ Records: z.array(z.object({ Sns: Notification })) });
  };
  return eventStack(Event, (deps, event) =>
    run(
      deps,
      event.Records.map((record) => record.Sns.Message as z.infer<Message> | undefined),
    ),
  );
}
