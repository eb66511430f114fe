import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from './errors.ts';

/**
 * Contact details are indexed by a keyed hash, so the table's keys never hold an email address or phone
 * number in plain text, and the hash cannot be reversed by guessing without the key.
 */
export function contactHash(key: string, contact: string): string {
  const normalised = contact.includes('@')
    ? contact.trim().toLowerCase()
    : contact.replace(/[^\d+]/g, '').replace(/^\+44/, '0');
  return createHmac('sha256', key).update(normalised).digest('base64url');
}

/**
 * The resident's private link: case-scoped, expiring, signed with HMAC. It authorises the resident's own
 * actions on their case (ask for stage 2, add information, withdraw) and nothing else.
 */
export function signCaseLink(key: string, caseId: string, expiresAt: Date): string {
  const payload = `${caseId}.${Math.floor(expiresAt.getTime() / 1000)}`;
  const signature = createHmac('sha256', key).update(payload).digest('base64url');
  return `${Buffer.from(payload).toString('base64url')}.${signature}`;
}

export function verifyCaseLink(key: string, token: string, now: Date): { caseId: string } {
  const [encoded, signature] = token.split('.');
  if (!encoded || !signature)
    throw new DomainError('FORBIDDEN', 'This case link is not valid: it may have been cut short');
  const payload = Buffer.from(encoded, 'base64url').toString();
  const expected = createHmac('sha256', key).update(payload).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DomainError(
      'FORBIDDEN',
      'This case link is not valid: use the latest link we sent you, or contact us',
    );
  }
  const [caseId, expiry] = payload.split('.');
  if (!caseId || !expiry || !/^\d+$/.test(expiry) || Number(expiry) * 1000 < now.getTime()) {
    throw new DomainError(
      'FORBIDDEN',
      'This case link has expired: contact us and we will send you a new one',
    );
  }
  return { caseId };
}
