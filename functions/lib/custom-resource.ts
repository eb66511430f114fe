import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import '#shared/zod-messages.ts';
import { lazy } from '#shared/lazy.ts';
import { eventStack } from './middleware.ts';

/**
 * A CloudFormation custom resource request, as CloudFormation sends it to a function that is the resource's
 * service token itself (no provider function between them). The answer goes to the presigned `ResponseURL`,
 * which is never logged (events are never logged).
 */
const CustomResourceRequest = lazy(() =>
  z.object({
    RequestType: z.enum(['Create', 'Update', 'Delete']),
    ResponseURL: z.string().check(z.minLength(1)),
    StackId: z.string(),
    RequestId: z.string(),
    LogicalResourceId: z.string(),
    PhysicalResourceId: z.optional(z.string()),
  }),
);

type CustomResourceRequest = z.infer<ReturnType<typeof CustomResourceRequest>>;

/** Whether an event is a custom resource request (a function invoked both ways tells them apart by this). */
export function isCustomResourceRequest(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'RequestType' in event && 'ResponseURL' in event;
}

/** CloudFormation reads at most 4,096 bytes of answer; the reason is cut well short of that. */
const MAX_REASON = 1_000;

/**
 * How long the answer's PUT may take (S3 answers a presigned PUT in well under a second). Without a limit a PUT
 * that never completes would hold the function to its own timeout, and every retry with it.
 */
const ANSWER_WITHIN_MS = 10_000;

/**
 * Answers CloudFormation: a PUT of the JSON answer to the presigned URL. The body is bytes, so no content type
 * is sent (the URL is signed without one). A PUT that takes longer than `withinMs` fails the invocation, which
 * Lambda runs again (CloudFormation invokes asynchronously), so the answer is sent again.
 */
async function answer(
  request: CustomResourceRequest,
  outcome: { status: 'SUCCESS'; data?: Record<string, string> } | { status: 'FAILED'; reason: string },
  withinMs: number,
): Promise<void> {
  const body = {
    Status: outcome.status,
    Reason:
      outcome.status === 'FAILED'
        ? outcome.reason.slice(0, MAX_REASON)
        : 'See the function log for the report',
    PhysicalResourceId: request.PhysicalResourceId ?? request.LogicalResourceId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    ...(outcome.status === 'SUCCESS' && outcome.data ? { Data: outcome.data } : {}),
  };
  let response: Response;
  try {
    response = await fetch(request.ResponseURL, {
      method: 'PUT',
      body: new TextEncoder().encode(JSON.stringify(body)),
      signal: AbortSignal.timeout(withinMs),
    });
  } catch (error) {
    // Not the error's message: it may carry the presigned URL.
    throw answerNotTaken(
      (error as { name?: string }).name === 'TimeoutError'
        ? `CloudFormation's answer URL did not take the answer within ${withinMs / 1000} s; the invocation fails so that Lambda runs it again`
        : `CloudFormation's answer URL could not be reached (${(error as { name?: string }).name ?? 'Error'}); the invocation fails so that Lambda runs it again`,
    );
  }
  if (!response.ok) {
    throw answerNotTaken(`CloudFormation refused the custom resource answer: HTTP ${response.status}`);
  }
}

/**
 * What a run throws when it stopped short of the invocation's time with work left (safe to run again): the
 * invocation fails without answering, Lambda runs it again (CloudFormation invokes asynchronously: twice more,
 * one and then two minutes later), and the run that finishes answers. CloudFormation waits for the answer up to
 * the resource's `ServiceTimeout`.
 */
export function runAgainLater(message: string): Error {
  return Object.assign(new Error(message), { name: 'RunAgainLater' });
}

/** Errors that fail the invocation without an answer, for Lambda to run it again. */
const UNANSWERED = new Set(['AnswerNotTaken', 'RunAgainLater']);

/** An answer that did not reach CloudFormation: answering again with FAILED would not reach it either. */
function answerNotTaken(message: string): Error {
  return Object.assign(new Error(message), { name: 'AnswerNotTaken' });
}

/**
 * A custom resource whose service token is this function: `run` gets the resource's properties (checked with
 * `properties`) on Create and Update; Delete has nothing to undo. CloudFormation waits for the answer, so a
 * failure anywhere (a bad request, the use case) is answered FAILED, which the deploy shows, and the deploy fails.
 * A run that never answers (a timeout, or one that throws {@link runAgainLater}) is retried by Lambda
 * (CloudFormation invokes asynchronously), so `run` must be safe to run again. `failure` says what did not happen and what to do; after it comes what was wrong
 * with the properties, or, for a failure inside `run`, only the error's name and where its log is: the stack's
 * events are read by more people than the function's log, and an error's message may name a resident or the
 * account's resources.
 *
 * @example export const handler = customResource(() => z.object({ pass: z.string() }), (deps, p) => check(deps, p), '…');
 */
export function customResource<Properties extends core.$ZodType>(
  propertiesOf: () => Properties,
  run: (
    deps: AppDependencies,
    properties: z.infer<Properties>,
    context: Context,
  ) => Promise<Record<string, string>>,
  failure: string,
  { answerWithinMs = ANSWER_WITHIN_MS }: { answerWithinMs?: number } = {},
) {
  const Request = lazy(() => z.extend(CustomResourceRequest(), { ResourceProperties: propertiesOf() }));
  const stack = eventStack(Request, async (deps, request, context) => {
    const data =
      request.RequestType === 'Delete'
        ? undefined
        : await run(
            deps,
            (request as { ResourceProperties: z.infer<Properties> }).ResourceProperties,
            context,
          );
    await answer(request, { status: 'SUCCESS', data }, answerWithinMs);
    return data;
  });
  return async (event: unknown, context: Context) => {
    try {
      return await stack(event, context);
    } catch (error) {
      const request = z.safeParse(CustomResourceRequest(), event);
      // Nowhere to answer, or the answer did not go: the invocation fails, and Lambda runs it again.
      if (!request.success || (error instanceof Error && UNANSWERED.has(error.name))) throw error;
      const parsed = z.safeParse(Request(), event);
      const why = parsed.success
        ? `${error instanceof Error ? error.name : 'Error'} in the run; the function's log has the details, request ${context.awsRequestId}`
        : `the resource's input is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`;
      await answer(request.data, { status: 'FAILED', reason: `${failure} (${why})` }, answerWithinMs);
      return undefined;
    }
  };
}
