import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '#shared/domain/errors.ts';

/** Header CloudFront adds to every request it forwards when the provider runs behind AWS WAF. */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/**
 * With WAF on (ADR 0003) the API is meant to be reached only through CloudFront and its web ACL: a request
 * without CloudFront's secret header came straight to the API endpoint and is refused.
 */
export function checkOrigin(headers: Record<string, string | undefined>, expected: string): void {
  const want = Buffer.from(expected);
  const given = Buffer.from(headers[ORIGIN_VERIFY_HEADER] ?? '');
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new DomainError('FORBIDDEN', 'Use the service through its public address');
  }
}
