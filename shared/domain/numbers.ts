/**
 * A whole number with its thousands grouped as British English writes it ("2,000", "20,000"), for the limits
 * messages name. `toLocaleString('en-GB')` gives the same text, but its first call loads ICU's number formatting
 * data: 12 to 17 ms of CPU, and a schema that names its limit calls it while its module loads, in every cold start
 * of every function that carries the schema (issue 12).
 */
export function wholeNumber(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a whole number`);
  const digits = String(Math.abs(value)).replace(/\B(?=(\d{3})+$)/g, ',');
  return value < 0 ? `-${digits}` : digits;
}
