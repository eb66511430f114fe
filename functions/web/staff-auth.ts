import { createHmac, createPublicKey, createVerify, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StaffRole } from '#shared/domain/case.ts';
import { DomainError } from '#shared/domain/errors.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { type ApiEvent, type StaffIdentity, staffIdentity } from '../lib/middleware.ts';
import { cookie } from './http.ts';

export const SESSION_COOKIE = 'staff_session';
export const LOCAL_USER_COOKIE = 'local_user';

export interface LocalUser {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
}

/** Local mode (the embedded runtime): the demo users it seeded, passed in its environment. */
export function localUsers(): LocalUser[] | undefined {
  if (process.env.COMPLAINTS_LOCAL_MODE !== '1') return undefined;
  return JSON.parse(process.env.COMPLAINTS_LOCAL_USERS ?? '[]') as LocalUser[];
}

interface Jwk {
  kid: string;
  kty: string;
  n: string;
  e: string;
  alg?: string;
}

const jwksCache = new Map<string, { keys: Jwk[]; fetchedAt: number }>();

async function signingKey(issuer: string, kid: string, fetcher: typeof fetch): Promise<Jwk | undefined> {
  const cached = jwksCache.get(issuer);
  const fresh = cached && Date.now() - cached.fetchedAt < 3_600_000 ? cached : undefined;
  const keys = fresh?.keys.find((key) => key.kid === kid)
    ? fresh.keys
    : ((await (await fetcher(`${issuer}/.well-known/jwks.json`)).json()) as { keys: Jwk[] }).keys;
  jwksCache.set(issuer, { keys, fetchedAt: Date.now() });
  return keys.find((key) => key.kid === kid);
}

/**
 * Verifies a Cognito ID token (RS256) from the session cookie: signature against the pool's published
 * keys, issuer, audience (our app client), token use and expiry. Pages cannot use the HTTP API's JWT
 * authorizer, which reads only headers, so the page handlers check the cookie themselves.
 */
export async function verifyCognitoIdToken(
  token: string,
  options: { issuer: string; clientId: string; now: Date; fetcher?: typeof fetch },
): Promise<Record<string, unknown>> {
  const [headerPart, payloadPart, signaturePart] = token.split('.');
  if (!headerPart || !payloadPart || !signaturePart)
    throw new DomainError('FORBIDDEN', 'Your session is not valid: sign in again');
  const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString()) as {
    kid?: string;
    alg?: string;
  };
  if (header.alg !== 'RS256' || !header.kid)
    throw new DomainError('FORBIDDEN', 'Your session is not valid: sign in again');
  const jwk = await signingKey(options.issuer, header.kid, options.fetcher ?? fetch);
  if (!jwk) throw new DomainError('FORBIDDEN', 'Your session was signed by an unknown key: sign in again');
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${headerPart}.${payloadPart}`);
  const key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  if (!verifier.verify(key, Buffer.from(signaturePart, 'base64url'))) {
    throw new DomainError('FORBIDDEN', 'Your session is not valid: sign in again');
  }
  const claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString()) as Record<string, unknown>;
  const expired = typeof claims.exp !== 'number' || claims.exp * 1000 <= options.now.getTime();
  if (
    claims.iss !== options.issuer ||
    claims.aud !== options.clientId ||
    claims.token_use !== 'id' ||
    expired
  ) {
    throw new DomainError(
      'FORBIDDEN',
      expired ? 'Your session has expired: sign in again' : 'Your session is not valid: sign in again',
    );
  }
  return claims;
}

/**
 * The member of staff behind a page request: claims an authorizer (or the local runtime) attached, or the
 * Cognito session cookie. Undefined means "send them to sign in".
 */
export async function pageStaff(event: ApiEvent, deps: AppDependencies): Promise<StaffIdentity | undefined> {
  if (event.requestContext.authorizer?.jwt?.claims) return staffIdentity(event);
  const session = cookie(event, SESSION_COOKIE);
  const issuer = process.env.COGNITO_ISSUER;
  const clientId = process.env.COGNITO_CLIENT_ID;
  if (!session || !issuer || !clientId) return undefined;
  try {
    const claims = await verifyCognitoIdToken(session, { issuer, clientId, now: deps.clock.now() });
    return staffIdentity({
      ...event,
      requestContext: {
        ...event.requestContext,
        authorizer: { jwt: { claims: claims as Record<string, string> } },
      },
    });
  } catch {
    return undefined;
  }
}

/** A per-user token in every staff form: a cross-site page cannot forge a POST with the session cookie. */
export function csrfToken(deps: AppDependencies, staffId: string): string {
  return createHmac('sha256', deps.secrets.linkSigningKey).update(`csrf:${staffId}`).digest('base64url');
}

export function checkCsrf(deps: AppDependencies, staffId: string, given: string): void {
  const expected = Buffer.from(csrfToken(deps, staffId));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new DomainError(
      'FORBIDDEN',
      'This form has expired or did not come from this site: go back, reload and try again',
    );
  }
}

export function randomState(): string {
  return randomBytes(16).toString('base64url');
}
