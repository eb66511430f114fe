import { $ZodError } from 'zod/v4/core';
import { DomainError, type DomainErrorCode } from '#shared/domain/errors.ts';

/** The one place domain errors become HTTP statuses. */
export const STATUS: Record<DomainErrorCode, number> = {
  OUT_OF_ORDER: 409,
  THIRD_STAGE: 409,
  SAME_HANDLER: 403,
  EXTENSION_REFUSED: 422,
  INCOMPLETE_LETTER: 422,
  NOT_ACCEPTED_WITHOUT_REASONS: 422,
  ESCALATION_WINDOW_CLOSED: 409,
  EXCLUSION_NOT_APPLICABLE: 422,
  STAGE2_WINDOW_OPEN: 422,
  UNKNOWN_ACTION: 422,
  CASE_CLOSED: 409,
  CONFLICT: 409,
  LETTER_HELD: 409,
  NOT_FOUND: 404,
  TASK_NOT_OPEN: 409,
  INVALID_INPUT: 422,
  INVALID_QUERY: 400,
  FORBIDDEN: 403,
  LEGAL_HOLD: 409,
  CASE_OPEN: 409,
  ANONYMISED: 409,
};

/** What AWS services answer when they are throttling or failing on their side (after the SDK's own retries). */
const BUSY_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/** A throttled or failing AWS service: the request may be retried, so it is never the caller's fault. */
export function isServiceBusy(error: unknown): boolean {
  const { name, $fault } = (error ?? {}) as { name?: string; $fault?: string };
  return BUSY_ERRORS.has(name ?? '') || $fault === 'server';
}

/**
 * DynamoDB refusing a key over its size limit: only a caller's over-long id can cause that, so it is a 4xx.
 * Any other ValidationException is a fault in our own request and stays a 5xx, so the alarm sees it.
 */
function isKeyTooLarge(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  return (
    name === 'ValidationException' && /size of (?:hashkey|all range keys) has exceeded/i.test(message ?? '')
  );
}

export interface HttpError {
  statusCode: number;
  body: { error: string; message: string; details?: unknown };
}

/**
 * A domain check on one field (a contact detail the preferred method needs) answers in the shape zod's problems
 * have, `[{ field, message }]`, so a client reads every INVALID_INPUT the same way.
 */
function fieldDetails(error: DomainError): unknown {
  const { field } = error.details;
  return error.code === 'INVALID_INPUT' && typeof field === 'string'
    ? [{ field, message: error.message }]
    : error.details;
}

export function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof DomainError) {
    return {
      statusCode: STATUS[error.code],
      body: { error: error.code, message: error.message, details: fieldDetails(error) },
    };
  }
  if (error instanceof $ZodError) {
    const problems = error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
    return {
      statusCode: 422,
      body: {
        error: 'INVALID_INPUT',
        message: `Please correct: ${problems.map((p) => `${p.field || 'body'}: ${p.message}`).join('; ')}`,
        details: problems,
      },
    };
  }
  if (isServiceBusy(error)) {
    // Still a 5xx, so the API's server-error alarm counts it; the caller is told it may retry.
    return {
      statusCode: 503,
      body: {
        error: 'SERVICE_BUSY',
        message:
          'The service is busy and your request may not have been completed. Wait a moment, reload, and try again.',
      },
    };
  }
  if (isKeyTooLarge(error)) {
    return {
      statusCode: 400,
      body: {
        error: 'ID_TOO_LONG',
        message: 'An id in the request is too long to name anything here. Check the link or reload the page.',
      },
    };
  }
  if (error instanceof SyntaxError) {
    return {
      statusCode: 400,
      body: { error: 'BAD_JSON', message: `The request body is not valid JSON: ${error.message}` },
    };
  }
  return undefined;
}
