import { describe, expect, it } from 'vitest';
import {
  contactHash,
  deriveKey,
  issueCsrfToken,
  issueSignInState,
  nameHashes,
  nameWords,
  readSignInState,
  verifyCsrfToken,
} from '#shared/domain/secrets.ts';

const MASTER = 'master-key-0123456789abcdef-0123456789';
const NOW = new Date('2026-12-07T10:00:00Z');
const LATER = new Date('2026-12-07T10:10:00Z');

describe('contact and name hashes', () => {
  it('hashes an email whatever its case and spacing, and a UK phone with or without +44', () => {
    expect(contactHash('k', ' Ada@Example.ORG ')).toBe(contactHash('k', 'ada@example.org'));
    expect(contactHash('k', '+44 7700 900123')).toBe(contactHash('k', '07700900123'));
    expect(contactHash('k', 'ada@example.org')).not.toBe(contactHash('other', 'ada@example.org'));
  });

  it('finds a name by its whole spelling or by a word, ignoring accents, case and apostrophes', () => {
    expect(nameWords("Siân O'Neill")).toEqual(['sian', 'oneill']);
    const hashes = nameHashes('k', "Siân O'Neill");
    expect(hashes).toHaveLength(3);
    expect(hashes).toEqual(nameHashes('k', 'sian oneill'));
    expect(nameHashes('k', '  ...  ')).toEqual([]);
  });
});

describe('derived keys', () => {
  it('gives each purpose its own key, the same every time', () => {
    expect(deriveKey(MASTER, 'csrf')).toBe(deriveKey(MASTER, 'csrf'));
    expect(deriveKey(MASTER, 'csrf')).not.toBe(deriveKey(MASTER, 'staff-sign-in-state-v1'));
    expect(deriveKey(MASTER, 'csrf')).not.toBe(deriveKey(`${MASTER}x`, 'csrf'));
  });
});

describe('CSRF tokens', () => {
  const key = deriveKey(MASTER, 'csrf');
  const token = issueCsrfToken(key, 'session-a', LATER);

  it('accepts the token issued for this session before it expires', () => {
    expect(() => verifyCsrfToken(key, 'session-a', token, NOW)).not.toThrow();
  });

  it.each([
    ['another session', () => verifyCsrfToken(key, 'session-b', token, NOW)],
    ['after expiry', () => verifyCsrfToken(key, 'session-a', token, LATER)],
    ['another key', () => verifyCsrfToken(deriveKey(MASTER, 'other'), 'session-a', token, NOW)],
    ['a longer expiry', () => verifyCsrfToken(key, 'session-a', token.replace(/^\d+/, '9999999999'), NOW)],
    ['a changed MAC', () => verifyCsrfToken(key, 'session-a', `${token.slice(0, -1)}A`, NOW)],
    ['no token', () => verifyCsrfToken(key, 'session-a', '', NOW)],
  ])('refuses it for %s, saying the form expired', (_case, verify) => {
    expect(verify).toThrow(/form has expired/);
  });
});

describe('sign-in state cookie', () => {
  const key = deriveKey(MASTER, 'staff-sign-in-state-v1');
  const state = { state: 'a'.repeat(22), verifier: 'b'.repeat(43), next: 'L3N0YWZm' };
  const cookie = issueSignInState(key, state, LATER);

  it('gives back the state, verifier and destination it was issued with', () => {
    expect(readSignInState(key, cookie, NOW)).toEqual(state);
  });

  it('refuses an altered destination, another key or a truncated value', () => {
    const parts = cookie.split('.');
    parts[2] = 'L2V2aWw';
    expect(() => readSignInState(key, parts.join('.'), NOW)).toThrow(/could not be checked/);
    expect(() => readSignInState(deriveKey(MASTER, 'csrf'), cookie, NOW)).toThrow(/could not be checked/);
    expect(() => readSignInState(key, cookie.slice(0, -2), NOW)).toThrow(/could not be checked/);
  });

  it('refuses it once expired', () => {
    expect(() => readSignInState(key, cookie, LATER)).toThrow(/expired/);
  });
});
