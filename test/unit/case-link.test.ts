import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/domain/errors.ts';
import { signCaseLink, verifyCaseLink } from '#shared/domain/secrets.ts';

const KEY = 'link-signing-key-for-tests';
const NOW = new Date('2026-03-02T10:00:00Z');
const CASE_ID = '01JCASE0000000000000000001';
const token = signCaseLink(KEY, CASE_ID, new Date('2027-03-02T10:00:00Z'));
const [payload = '', signature = ''] = token.split('.');

function refused(altered: string): boolean {
  try {
    verifyCaseLink(KEY, altered, NOW);
    return false;
  } catch (error) {
    return error instanceof DomainError && error.code === 'FORBIDDEN';
  }
}

/** base64url's last character of a 32-byte signature carries 4 bits; the other 2 are padding bits. */
function nonCanonicalLast(encoded: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(encoded.at(-1) ?? 'A');
  return `${encoded.slice(0, -1)}${alphabet[last ^ 1]}`;
}

describe('resident case links', () => {
  it('accepts the link as signed', () => {
    expect(verifyCaseLink(KEY, token, NOW)).toEqual({ caseId: CASE_ID });
  });

  it('refuses every alteration with 403 (FORBIDDEN), however small', () => {
    const alterations: Record<string, string> = {
      'an extra part': `${token}.extra`,
      'an empty extra part': `${token}.`,
      'a character inserted in the signature': `${payload}.${signature.slice(0, 10)}A${signature.slice(10)}`,
      'a character appended to the signature': `${token}A`,
      'a non-canonical last character': `${payload}.${nonCanonicalLast(signature)}`,
      'padding on the signature': `${token}=`,
      'standard base64 instead of base64url': `${payload}.${Buffer.from(signature, 'base64url').toString('base64')}`,
      'a non-canonical payload': `${nonCanonicalLast(payload)}.${signature}`,
      'whitespace around it': ` ${token} `,
      'the signature cut short': token.slice(0, -1),
      'no signature': payload,
      'another case': signCaseLink(KEY, 'OTHER', new Date('2027-03-02T10:00:00Z')).replace(
        /\..*$/,
        `.${signature}`,
      ),
      'another key': signCaseLink('another-key', CASE_ID, new Date('2027-03-02T10:00:00Z')),
    };
    for (const [what, altered] of Object.entries(alterations)) {
      expect(altered, what).not.toBe(token);
      expect(refused(altered), what).toBe(true);
    }
  });

  it('refuses an expired link, saying so', () => {
    const old = signCaseLink(KEY, CASE_ID, new Date('2026-03-01T10:00:00Z'));
    expect(() => verifyCaseLink(KEY, old, NOW)).toThrow(/expired/);
  });
});
