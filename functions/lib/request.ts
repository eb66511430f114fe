import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { STAFF_ROLES, type StaffRole } from '#shared/domain/case.ts';
import { DomainError, NotFoundError, ValidationError } from '#shared/domain/errors.ts';

/** JSON bodies are small; anything larger is refused before it is parsed. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * The HTTP API's own request limit (10 MB). Only the complaint form, which carries attachments, accepts a
 * body this large; the local runtime reads up to it and leaves each handler to apply its own limit.
 */
export const MAX_UPLOAD_BODY_BYTES = 10 * 1024 * 1024;

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

/** A path parameter the route always has (API Gateway fills it; a direct call may not). */
export function pathParameter(event: ApiEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new ValidationError(`The path must include ${name}`);
  return value;
}

/** A body that must be a JSON object (not null, an array or a bare value). */
export function jsonObject(body: unknown): Record<string, unknown> {
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
