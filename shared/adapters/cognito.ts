import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { JwtExpiredError, JwtNotBeforeError } from 'aws-jwt-verify/error';
import { DomainError } from '../domain/errors.ts';

/** The one user pool and app client staff sign in with. */
export interface CognitoSettings {
  /** `https://cognito-idp.<region>.amazonaws.com/<user pool id>`, as in the tokens' `iss`. */
  issuer: string;
  clientId: string;
}

const ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/([a-z0-9-]+_[0-9A-Za-z]+)$/;

/**
 * The pool and client from the pages' validated settings, or undefined (and so no staff sign-in) when either
 * is missing.
 */
export function cognitoSettingsFrom(config: {
  COGNITO_ISSUER?: string;
  COGNITO_CLIENT_ID?: string;
}): CognitoSettings | undefined {
  const issuer = config.COGNITO_ISSUER;
  const clientId = config.COGNITO_CLIENT_ID;
  if (!issuer || !clientId || !ISSUER.test(issuer)) return undefined;
  return { issuer, clientId };
}

function createVerifier(settings: CognitoSettings) {
  const userPoolId = ISSUER.exec(settings.issuer)?.[1] ?? '';
  return CognitoJwtVerifier.create({
    userPoolId,
    tokenUse: 'id',
    clientId: settings.clientId,
    // The library checks `exp` only when present; a session must always end, so a token without one is refused.
    customJwtCheck: ({ payload }) => {
      if (typeof payload.exp !== 'number') throw new Error('The token has no expiry');
    },
  });
}

export type IdTokenVerifier = ReturnType<typeof createVerifier>;

// One verifier per pool and client for the life of the execution environment: its JWKS cache (with the
// library's penalty box against refetching on every unknown `kid`) is what makes verification cheap.
const verifiers = new Map<string, IdTokenVerifier>();

/**
 * The ID token verifier for the pool: aws-jwt-verify checks the RS256 signature against the pool's JWKS
 * (`kid`, `kty`, `use`), `iss`, `exp` and `nbf`, `token_use` = id and `aud` = our app client. Tests hydrate
 * it with `cacheJwks` instead of fetching.
 */
export function idTokenVerifier(settings: CognitoSettings): IdTokenVerifier {
  const key = `${settings.issuer} ${settings.clientId}`;
  let verifier = verifiers.get(key);
  if (!verifier) {
    verifier = createVerifier(settings);
    verifiers.set(key, verifier);
  }
  return verifier;
}

/** The claims of a valid staff ID token; anything else is refused with what to do about it. */
export async function verifyIdToken(
  settings: CognitoSettings | undefined,
  token: string,
): Promise<Record<string, unknown>> {
  // Fail closed: without a configured pool there is nothing to verify against, so nobody is signed in.
  if (!settings)
    throw new DomainError('FORBIDDEN', 'Staff sign-in is not configured: ask your administrator');
  try {
    return (await idTokenVerifier(settings).verify(token)) as Record<string, unknown>;
  } catch (error) {
    const expired = error instanceof JwtExpiredError || error instanceof JwtNotBeforeError;
    throw new DomainError(
      'FORBIDDEN',
      expired ? 'Your session has expired: sign in again' : 'Your session is not valid: sign in again',
    );
  }
}
