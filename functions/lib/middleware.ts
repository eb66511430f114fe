import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { STAFF_ROLES, type StaffRole } from '#shared/domain/case.ts';
import { DomainError, NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { dependencies } from './config.ts';
import { toHttpError } from './errors.ts';
import { checkOrigin } from './origin.ts';

export const logger = new Logger({ serviceName: 'complaints' });

/** Link and task tokens, email addresses and phone numbers: never written to a log, even inside an error. */
const SECRET_OR_PERSONAL = [
  /token=[^&\s"']+/gi,
  /[A-Za-z0-9_-]{40,}(?:\.[A-Za-z0-9_-]+)*/g,
  /[^\s@"'<>]+@[^\s@"'<>]+\.[^\s@"'<>]+/g,
  /\+?\d[\d ()-]{8,}\d/g,
];

function redact(text: string): string {
  return SECRET_OR_PERSONAL.reduce((result, pattern) => result.replace(pattern, '[redacted]'), text);
}

/**
 * An unexpected error, with what is needed to fix it: its name, message and stack, under keys of our own
 * (Powertools reserves `message` for the log line's own text and drops a value given under it).
 */
export function logUnhandled(what: string, route: string, error: unknown): void {
  const failure = error instanceof Error ? error : new Error(String(error));
  logger.error(what, {
    route,
    errorName: failure.name,
    errorMessage: redact(failure.message),
    errorStack: redact(failure.stack ?? ''),
  });
}

/** JSON bodies are small; anything larger is refused before it is parsed. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * The HTTP API's own request limit (10 MB). Only the complaint form, which carries attachments, accepts a
 * body this large; the local runtime reads up to it and leaves each handler to apply its own limit.
 */
export const MAX_UPLOAD_BODY_BYTES = 10 * 1024 * 1024;

/**
 * A workflow task invoked by the state machine: the input is validated, one use case runs, and errors keep
 * their names so the ASL's Retry and Catch can match them. The event is never logged (it may hold a token).
 */
export function workflowTask<Schema extends z.ZodType, Result>(
  schema: Schema,
  run: (deps: AppDependencies, input: z.infer<Schema>) => Promise<Result>,
) {
  return middy<unknown, Result, Error, Context>().handler(async (event, context) => {
    try {
      const parsed = schema.safeParse(event);
      if (!parsed.success) {
        throw new ValidationError(
          `Workflow task input is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        );
      }
      return await run(await dependencies(), parsed.data);
    } catch (error) {
      // The Lambda runtime logs a thrown error as it is, and Step Functions keeps its message as the
      // execution's `cause`: only a redacted copy leaves (an SES rejection names the recipient).
      logUnhandled('Workflow task failed', context?.functionName ?? 'workflow task', error);
      throw redactedError(error);
    }
  });
}

/** The same error name (the ASL's Retry and Catch match on it), with the message and stack redacted. */
function redactedError(error: unknown): Error {
  const failure = error instanceof Error ? error : new Error(String(error));
  const safe = new Error(redact(failure.message));
  safe.name = failure.name;
  safe.stack = redact(failure.stack ?? '');
  return safe;
}

export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, string | number | boolean | string[]> } };
  };
};

/** A member of staff: `id` is the Cognito `sub` (stable, never reassigned); the email is only for display. */
export interface StaffIdentity {
  kind: 'staff';
  id: string;
  role: StaffRole;
  email?: string;
}

const ROLE_RANK: readonly StaffRole[] = ['admin', 'manager', 'reviewer', 'handler'];

/**
 * The signed-in member of staff, from the claims of a verified Cognito ID token (the HTTP API's authorizer,
 * the page session check, or the local runtime). Only ID tokens are accepted: an access token for the same
 * person carries no email and must not become a second identity, so the token type is checked here as well
 * as by whoever verified the signature.
 */
export function staffIdentity(event: ApiEvent): StaffIdentity {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (!claims || typeof sub !== 'string' || sub === '')
    throw new DomainError('FORBIDDEN', 'Sign in as a member of staff');
  if (claims.token_use !== 'id') {
    throw new DomainError(
      'FORBIDDEN',
      'Send the ID token from staff sign-in (Authorization: Bearer <id_token>); access tokens are not accepted',
    );
  }
  const rawGroups = claims['cognito:groups'];
  const groups = Array.isArray(rawGroups)
    ? rawGroups
    : String(rawGroups ?? '')
        .replace(/^\[|\]$/g, '')
        .split(/[\s,]+/);
  const role = ROLE_RANK.find((candidate) => groups.includes(candidate));
  if (!role || !STAFF_ROLES.includes(role)) {
    throw new DomainError(
      'FORBIDDEN',
      'Your account is not in a complaints staff group (handler, reviewer, manager, admin)',
    );
  }
  // Only a verified email is shown: an unverified attribute could name someone else. It never decides who
  // someone is; rules such as the stage 2 different-person rule compare the sub.
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  const email = typeof claims.email === 'string' && verified ? claims.email : undefined;
  return { kind: 'staff', id: sub, role, ...(email ? { email } : {}) };
}

export function jsonBody(event: ApiEvent): unknown {
  if (!event.body) return {};
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return JSON.parse(raw);
}

/** A body that must be a JSON object (not null, an array or a bare value). */
export function jsonObject(event: ApiEvent): Record<string, unknown> {
  const body = jsonBody(event);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('The request body must be a JSON object, for example {"action": "escalate"}');
  }
  return body as Record<string, unknown>;
}

/**
 * Every path parameter is an id we made (a UUID), a reference or an index: anything else names nothing
 * here, and is refused before it reaches the table (DynamoDB rejects a key over 2 KB with a 500-like error).
 */
export function checkPathParameters(event: ApiEvent): void {
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) {
    if (name !== 'proxy' && !isId(value)) {
      throw new NotFoundError(`There is no ${name} like that: ${ID_RULE}. Check the link and try again.`);
    }
  }
}

const ID_RULE = 'it must be 1 to 100 letters, digits, "-" or "_"';

/** An id we made (a UUID), a reference or an index: the only shape that may reach a table key. */
export function isId(value: string | undefined): value is string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(value ?? '');
}

/** An id read from a form body or query string, refused before any lookup when it cannot name anything. */
export function checkId(what: string, value: string | undefined): string {
  if (!isId(value)) {
    throw new ValidationError(
      `The ${what} in the form is not valid: ${ID_RULE}. Reload the page and try again.`,
    );
  }
  return value;
}

export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** An HTTP API route: one use case per route, every error mapped in one place, nothing sensitive logged. */
export function httpRoute(
  run: (deps: AppDependencies, event: ApiEvent) => Promise<APIGatewayProxyStructuredResultV2>,
) {
  return middy<ApiEvent, APIGatewayProxyStructuredResultV2, Error, Context>().handler(async (event) => {
    try {
      await checkOrigin(event.headers);
      checkPathParameters(event);
      if ((event.body?.length ?? 0) > MAX_BODY_BYTES) {
        return json(413, {
          error: 'TOO_LARGE',
          message: `The request is larger than ${MAX_BODY_BYTES / 1024} KB; send attachments separately`,
        });
      }
      return await run(await dependencies(), event);
    } catch (error) {
      const mapped = toHttpError(error);
      if (mapped) return json(mapped.statusCode, mapped.body);
      logUnhandled('Unhandled error', event.routeKey, error);
      return json(500, {
        error: 'INTERNAL',
        message: 'Something went wrong on our side; nothing was changed. Please try again.',
      });
    }
  });
}
