import * as z from 'zod/mini';
import { wholeNumber } from '../domain/numbers.ts';
import '../zod-messages.ts';

/**
 * The reason staff must give for a records decision (a legal hold, its release, an erasure decision, a
 * correction). Missing or blank, it says which reason to enter: zod's own words ("expected string, received
 * undefined", "Too small: expected string to have >=1 characters") tell an API caller neither. The staff pages
 * map the field to their own words; these are what the JSON routes answer.
 */
export function staffReason(what: string, example: string, max = 2000) {
  const missing = `Enter ${what} (${example})`;
  return z
    .string({ error: missing })
    .check(
      z.trim(),
      z.minLength(1, missing),
      z.maxLength(max, `${what.replace(/^the /, 'The ')} must be ${wholeNumber(max)} characters or fewer`),
    );
}
