/**
 * Domain errors. Each carries a stable code; adapters map codes to HTTP statuses or Step Functions
 * error names in one place (see functions/lib/errors.ts).
 */
export type DomainErrorCode =
  | 'OUT_OF_ORDER'
  | 'THIRD_STAGE'
  | 'SAME_HANDLER'
  | 'EXTENSION_REFUSED'
  | 'INCOMPLETE_LETTER'
  | 'NOT_ACCEPTED_WITHOUT_REASONS'
  | 'ESCALATION_WINDOW_CLOSED'
  | 'EXCLUSION_NOT_APPLICABLE'
  | 'STAGE2_WINDOW_OPEN'
  | 'UNKNOWN_ACTION'
  | 'CASE_CLOSED'
  | 'CONFLICT'
  /** A resident letter owed is claimed by another run (sending it, or stopped: its claim then expires). */
  | 'LETTER_HELD'
  | 'NOT_FOUND'
  | 'TASK_NOT_OPEN'
  | 'INVALID_INPUT'
  | 'INVALID_QUERY'
  | 'FORBIDDEN'
  /** A legal hold stops retention and erasure. */
  | 'LEGAL_HOLD'
  /** An open case cannot be anonymised or erased. */
  | 'CASE_OPEN'
  /** The case's personal data was removed: nothing more may be recorded on it. */
  | 'ANONYMISED';

export class DomainError extends Error {
  override readonly name: string = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class OutOfOrderError extends DomainError {
  override readonly name = 'OutOfOrderError';
  constructor(event: string, status: string, expected: readonly string[]) {
    super(
      'OUT_OF_ORDER',
      `"${event}" cannot happen while the case is ${status}; it is waiting for: ${expected.join(', ') || 'nothing (it is closed)'}.`,
      { event, status, expected },
    );
  }
}

export class ThirdStageError extends DomainError {
  override readonly name = 'ThirdStageError';
  constructor() {
    super(
      'THIRD_STAGE',
      'The complaint has had its stage 2 (final) response; there is no third stage. The resident can refer it to the Ombudsman.',
    );
  }
}

export class SameHandlerError extends DomainError {
  override readonly name = 'SameHandlerError';
  /** `who` is how the person is shown (their email where known); the rule itself compares staff ids. */
  constructor(who: string) {
    super(
      'SAME_HANDLER',
      `${who} handled this complaint at stage 1, so cannot handle stage 2 (Code 6.13): assign it to someone else.`,
      { staff: who },
    );
  }
}

export class ExtensionRefusedError extends DomainError {
  override readonly name = 'ExtensionRefusedError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('EXTENSION_REFUSED', message, details);
  }
}

export class IncompleteLetterError extends DomainError {
  override readonly name = 'IncompleteLetterError';
  constructor(
    readonly missing: readonly string[],
    what = 'The response',
  ) {
    super('INCOMPLETE_LETTER', `${what} cannot be sent: ${missing.join('; ')}.`, { missing });
  }
}

export class NotAcceptedWithoutReasonsError extends DomainError {
  override readonly name = 'NotAcceptedWithoutReasonsError';
  constructor(missing: readonly string[]) {
    super(
      'NOT_ACCEPTED_WITHOUT_REASONS',
      `A complaint cannot be refused without ${missing.join(' and ')} (Code 2.1, 2.4).`,
      {
        missing,
      },
    );
  }
}

export class EscalationWindowClosedError extends DomainError {
  override readonly name = 'EscalationWindowClosedError';
  constructor(endedAt: string) {
    super(
      'ESCALATION_WINDOW_CLOSED',
      `The window to ask for stage 2 ended at ${endedAt}. Staff can still accept a late request as a new complaint or at their discretion.`,
      { endedAt },
    );
  }
}

export class ExclusionNotApplicableError extends DomainError {
  override readonly name = 'ExclusionNotApplicableError';
  constructor(exclusionCode: string, why: string, details: Record<string, unknown> = {}) {
    super('EXCLUSION_NOT_APPLICABLE', `The "${exclusionCode}" reason does not apply: ${why}`, {
      exclusionCode,
      ...details,
    });
  }
}

export class Stage2WindowOpenError extends DomainError {
  override readonly name = 'Stage2WindowOpenError';
  /** Without an end, the policy sets no deadline for asking for stage 2, so the window never ends. */
  constructor(endsOn?: string, endsAt?: string) {
    super(
      'STAGE2_WINDOW_OPEN',
      endsOn === undefined
        ? 'The resident can ask for stage 2 at any time (the policy sets no deadline), so the complaint cannot be closed after the stage 1 response unless the resident has told us they are satisfied: record how and when they said so.'
        : `The resident can ask for stage 2 until the end of ${endsOn}, so the complaint cannot be closed before then unless the resident has told us they are satisfied: record how and when they said so, or wait for the window to end.`,
      endsOn === undefined ? {} : { endsOn, endsAt },
    );
  }
}

export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('INVALID_INPUT', message, details);
  }
}

/** What is wrong with the link a resident opened their case with. */
export type CaseLinkProblem = 'missing' | 'invalid' | 'expired' | 'other-case';

const LATEST_LINK =
  'Use the link in the most recent email or letter we sent you, or contact us with your complaint reference';

const CASE_LINK_MESSAGES: Record<CaseLinkProblem, string> = {
  missing: 'Open this page from the link in one of our emails or letters',
  invalid: `This case link is not valid: it may have been cut short or changed. ${LATEST_LINK}`,
  expired: `This case link has expired. ${LATEST_LINK}`,
  'other-case': 'This link is for a different case',
};

/**
 * The resident's signed link does not open their case: 403 (422 when there is none). Its own class so the
 * resident's pages can say what to do instead of a dead end; the API answers as for any refusal.
 */
export class CaseLinkError extends DomainError {
  override readonly name = 'CaseLinkError';
  constructor(readonly problem: CaseLinkProblem) {
    super(problem === 'missing' ? 'INVALID_INPUT' : 'FORBIDDEN', CASE_LINK_MESSAGES[problem]);
  }
}

/** A query string that asks for something that cannot be answered (a bad date, a reversed period). */
export class InvalidQueryError extends DomainError {
  override readonly name = 'InvalidQueryError';
  constructor(message: string) {
    super('INVALID_QUERY', message);
  }
}

export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CONFLICT', message, details);
  }
}

/**
 * A workflow step found the letters the case owes claimed by another run (a deploy's profile pass or the daily
 * run). Its own name, not a ConflictError: the ASL retries it for longer than any run's claim can hold
 * (`LETTER_CLAIM_MS`), where a ConflictError's retrier gives up after about two minutes.
 */
export class LetterHeldError extends DomainError {
  override readonly name = 'LetterHeldError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('LETTER_HELD', message, details);
  }
}

export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class TaskNotOpenError extends DomainError {
  override readonly name = 'TaskNotOpenError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('TASK_NOT_OPEN', message, details);
  }
}
