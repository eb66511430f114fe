import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { CaseLinkError, DomainError } from './errors.ts';

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
 * The words of a name as staff might type it: accents, case and punctuation do not matter ("Siân O'Neill"
 * is "sian", "oneill").
 */
export function nameWords(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['\u2019.]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * A name is looked up, like a contact, by keyed hash: of the whole name and of each word of two letters or
 * more, so staff find "Ada Resident" by her full name or her surname. The "name:" prefix keeps these hashes
 * apart from contact hashes.
 */
export function nameHash(key: string, words: readonly string[]): string {
  return createHmac('sha256', key)
    .update(`name:${words.join(' ')}`)
    .digest('base64url');
}

export function nameHashes(key: string, name: string): string[] {
  const words = nameWords(name);
  if (words.length === 0) return [];
  const lookups = [words, ...words.filter((word) => word.length >= 2).map((word) => [word])];
  return [...new Set(lookups.map((lookup) => nameHash(key, lookup)))];
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

/** A link token has exactly one spelling: base64url payload, a dot, and a 43-character base64url HMAC. */
const LINK_SHAPE = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/;

export function verifyCaseLink(key: string, token: string, now: Date): { caseId: string } {
  const shape = LINK_SHAPE.exec(token);
  if (!shape) throw new CaseLinkError('invalid');
  const [, encoded = '', signature = ''] = shape;
  const payload = Buffer.from(encoded, 'base64url').toString();
  // Base64url has spare bits, so several spellings decode to the same bytes: accept only the one we sign,
  // by comparing the whole token (as text) with the one this payload would get.
  const expected = Buffer.from(
    `${Buffer.from(payload).toString('base64url')}.${createHmac('sha256', key).update(payload).digest('base64url')}`,
  );
  const given = Buffer.from(`${encoded}.${signature}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new CaseLinkError('invalid');
  }
  const [caseId, expiry, ...rest] = payload.split('.');
  if (!caseId || !expiry || rest.length || !/^\d+$/.test(expiry) || Number(expiry) * 1000 < now.getTime()) {
    throw new CaseLinkError('expired');
  }
  return { caseId };
}

/**
 * A key for one purpose, derived from the master key with HKDF-SHA256 (RFC 5869): keys for different
 * purposes are independent, so a value signed for one purpose is never valid for another.
 */
export function deriveKey(masterKey: string, purpose: string): string {
  return Buffer.from(hkdfSync('sha256', masterKey, 'complaints-workflow', purpose, 32)).toString('base64url');
}

const CSRF_TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;
const FORM_EXPIRED =
  'This form has expired or did not come from this site: go back, reload the page and submit it again';

function csrfMac(key: string, session: string, expiresAtSeconds: string): Buffer {
  // The session is hashed first, so the token's input never holds the session token itself.
  const sessionHash = createHash('sha256').update(session).digest('base64url');
  return createHmac('sha256', key).update(`staff-csrf-v1.${sessionHash}.${expiresAtSeconds}`).digest();
}

/**
 * A form's anti-forgery token: an HMAC (with the CSRF key, not the link key) over a hash of the session and
 * an expiry, written as `<expiry seconds>.<mac>`. Another session's token, or an expired one, is refused.
 */
export function issueCsrfToken(key: string, session: string, expiresAt: Date): string {
  const expiry = String(Math.floor(expiresAt.getTime() / 1000));
  return `${expiry}.${csrfMac(key, session, expiry).toString('base64url')}`;
}

export function verifyCsrfToken(key: string, session: string, token: string, now: Date): void {
  const match = CSRF_TOKEN.exec(token);
  const expiry = match?.[1] ?? '';
  // Compared as text, so only the one canonical encoding of the MAC is accepted.
  const given = Buffer.from(match?.[2] ?? '');
  const expected = Buffer.from(csrfMac(key, session, expiry).toString('base64url'));
  if (!match || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DomainError('FORBIDDEN', FORM_EXPIRED);
  }
  if (Number(expiry) * 1000 <= now.getTime()) throw new DomainError('FORBIDDEN', FORM_EXPIRED);
}

/** What the staff sign-in keeps between the hosted UI redirect and the callback. */
export interface SignInState {
  /** The OAuth state sent to the hosted UI (22 base64url characters). */
  state: string;
  /** The PKCE code verifier (43 base64url characters). */
  verifier: string;
  /** Where to go afterwards, base64url. */
  next: string;
}

const SIGN_IN_STATE =
  /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{0,2048})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

function signInStateMac(key: string, state: SignInState, expiresAtSeconds: string): string {
  return createHmac('sha256', key)
    .update(`staff-sign-in-v1.${state.state}.${state.verifier}.${state.next}.${expiresAtSeconds}`)
    .digest('base64url');
}

/**
 * The sign-in state cookie's value, `<state>.<verifier>.<next>.<expiry seconds>.<mac>`: an HMAC (with a key
 * of its own) binds the verifier and the destination to the state and an expiry, so a cookie that was
 * altered, made elsewhere or kept past its expiry is refused.
 */
export function issueSignInState(key: string, state: SignInState, expiresAt: Date): string {
  const expiry = String(Math.floor(expiresAt.getTime() / 1000));
  return `${state.state}.${state.verifier}.${state.next}.${expiry}.${signInStateMac(key, state, expiry)}`;
}

export function readSignInState(key: string, value: string, now: Date): SignInState {
  const match = SIGN_IN_STATE.exec(value);
  const [, state = '', verifier = '', next = '', expiry = '', mac = ''] = match ?? [];
  const given = Buffer.from(mac);
  const expected = Buffer.from(signInStateMac(key, { state, verifier, next }, expiry));
  if (!match || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DomainError(
      'FORBIDDEN',
      'This sign-in could not be checked: it did not start in this browser, or its cookie was changed. Sign in again.',
    );
  }
  if (Number(expiry) * 1000 <= now.getTime()) {
    throw new DomainError('FORBIDDEN', 'This sign-in took too long and has expired. Sign in again.');
  }
  return { state, verifier, next };
}
