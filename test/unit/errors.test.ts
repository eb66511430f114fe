import { describe, expect, it } from 'vitest';
import { toHttpError } from '../../functions/lib/errors.ts';

/** What DynamoDB (and dynalite) throw for a key over the size limit, and for a malformed request of ours. */
const awsError = (message: string) => Object.assign(new Error(message), { name: 'ValidationException' });

describe('the error mapper', () => {
  it('answers 400 when DynamoDB refuses an over-long key that slipped past the id checks', () => {
    for (const message of [
      'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes',
      'One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes',
    ]) {
      const mapped = toHttpError(awsError(message));
      expect(mapped?.statusCode, message).toBe(400);
      expect(mapped?.body.message).toMatch(/too long/);
    }
  });

  it('leaves any other ValidationException a server error, so the 5xx alarm counts it', () => {
    expect(toHttpError(awsError('Invalid UpdateExpression: Syntax error; token: "SET"'))).toBeUndefined();
  });
});
