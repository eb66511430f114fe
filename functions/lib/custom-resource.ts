import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import '#shared/zod-messages.ts';
import { eventStack } from './middleware.ts';

/**
 * A CloudFormation custom resource request, as CloudFormation sends it to a function that is the resource's
 * service token itself (no provider function between them). The answer goes to the presigned `ResponseURL`,
 * which is never logged (events are never logged).
 */
const CustomResourceRequest = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.string().check(z.minLength(1)),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  PhysicalResourceId: z.optional(z.string()),
});

type CustomResourceRequest = z.infer<typeof CustomResourceRequest>;

/** Whether an event is a custom resource request (a function invoked both ways tells them apart by this). */
export function isCustomResourceRequest(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'RequestType' in event && 'ResponseURL' in event;
}

/** CloudFormation reads at most 4,096 bytes of answer; the reason is cut well short of that. */
const MAX_REASON = 1_000;

/**
 * Answers CloudFormation: a PUT of the JSON answer to the presigned URL. The body is bytes, so no content type
 * is sent (the URL is signed without one).
 */
async function answer(
  request: CustomResourceRequest,
  outcome: { status: 'SUCCESS'; data?: Record<string, string> } | { status: 'FAILED'; reason: string },
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
  const response = await fetch(request.ResponseURL, {
    method: 'PUT',
    body: new TextEncoder().encode(JSON.stringify(body)),
  });
  if (!response.ok) {
    throw new Error(`CloudFormation refused the custom resource answer: HTTP ${response.status}`);
  }
}

/**
 * A custom resource whose service token is this function: `run` gets the resource's properties (checked with
 * `properties`) on Create and Update; Delete has nothing to undo. CloudFormation waits for the answer, so a
 * failure anywhere (a bad request, the use case) is answered FAILED with its redacted message, which the deploy
 * shows, and the deploy fails. A run that never answers (a timeout) is retried by Lambda (CloudFormation
 * invokes asynchronously), so `run` must be safe to run again. `failure` says, ahead of the error's message, what
 * did not happen and what to do.
 *
 * @example export const handler = customResource(z.object({ pass: z.string() }), (deps, p) => check(deps, p), '…');
 */
export function customResource<Properties extends core.$ZodType>(
  properties: Properties,
  run: (deps: AppDependencies, properties: z.infer<Properties>) => Promise<Record<string, string>>,
  failure: string,
) {
  const Request = z.extend(CustomResourceRequest, { ResourceProperties: properties });
  const stack = eventStack(Request, async (deps, request) => {
    const data =
      request.RequestType === 'Delete'
        ? undefined
        : await run(deps, (request as { ResourceProperties: z.infer<Properties> }).ResourceProperties);
    await answer(request, { status: 'SUCCESS', data });
    return data;
  });
  return async (event: unknown, context: Context) => {
    try {
      return await stack(event, context);
    } catch (error) {
      const request = z.safeParse(CustomResourceRequest, event);
      if (!request.success) throw error; // nowhere to answer
      await answer(request.data, {
        status: 'FAILED',
        reason: `${failure} (${error instanceof Error ? error.message : String(error)})`,
      });
      return undefined;
    }
  };
}
