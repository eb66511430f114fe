import { createHash, createHmac, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { dependencies } from '#functions/lib/config.ts';
import type { ApiEvent } from '#functions/lib/middleware.ts';
import { CSRF_TTL_MS, checkCsrf, csrfToken, pageStaff, SESSION_COOKIE } from '#functions/web/staff-auth.ts';
import { callback, signInPage, signOut } from '#functions/web/staff-sign-in.ts';
import { idTokenVerifier, verifyIdToken } from '#shared/adapters/cognito.ts';
import { deriveKey, issueCsrfToken, verifyCsrfToken } from '#shared/domain/secrets.ts';
import { apiEvent, lambdaContext, useLocalAws } from '../handlers/setup.ts';

useLocalAws();

type Page = (event: ApiEvent, context: never) => Promise<APIGatewayProxyStructuredResultV2>;

const CLIENT_ID = 'client-123';
let poolCount = 0;

/** A user pool of our own: its signing key, and a verifier hydrated with its JWKS (no network). */
function pool(options: { use?: string } = {}) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const issuer = `https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Pool${++poolCount}`;
  const settings = { issuer, clientId: CLIENT_ID };
  const jwk = {
    ...publicKey.export({ format: 'jwk' }),
    kid: 'key-1',
    alg: 'RS256',
    use: options.use ?? 'sig',
  };
  idTokenVerifier(settings).cacheJwks({ keys: [jwk as never] });
  const nowSeconds = Math.floor(Date.now() / 1000);
  const claims = {
    sub: '5f0c1a2b-0000-4000-8000-00000000a11c',
    email: 'hannah@landlord.example',
    email_verified: true,
    'cognito:groups': ['handler'],
    iss: issuer,
    aud: CLIENT_ID,
    token_use: 'id',
    iat: nowSeconds,
    auth_time: nowSeconds,
    exp: nowSeconds + 600,
  };
  return { privateKey, issuer, settings, claims };
}

function token(privateKey: KeyObject, claims: Record<string, unknown>, kid = 'key-1'): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', kid, typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')}`;
}

function configure(issuer: string | undefined) {
  delete process.env.COMPLAINTS_LOCAL_MODE;
  process.env.COGNITO_DOMAIN = 'https://auth.example.org';
  process.env.COGNITO_CLIENT_ID = CLIENT_ID;
  if (issuer) process.env.COGNITO_ISSUER = issuer;
  else delete process.env.COGNITO_ISSUER;
}

async function get(page: Page, path: string, query?: Record<string, string>, cookies?: string[]) {
  const response = await page(
    apiEvent({ rawPath: path, routeKey: `GET ${path}`, queryStringParameters: query, cookies }),
    lambdaContext,
  );
  return {
    status: response.statusCode ?? 0,
    body: String(response.body ?? ''),
    location: response.headers?.location as string | undefined,
    cookies: response.cookies ?? [],
  };
}

/** Starts a sign-in: the hosted UI address it redirects to and the state cookie it sets. */
async function startSignIn() {
  const start = await get(signInPage, '/staff/sign-in');
  expect(start.status).toBe(303);
  const location = new URL(start.location ?? '');
  const stateCookie = (start.cookies[0] ?? '').split(';')[0] ?? '';
  return { start, location, stateCookie, state: location.searchParams.get('state') ?? '' };
}

describe('staff sign-in in AWS (authorization code with PKCE)', () => {
  it('sends a S256 challenge to the hosted UI and keeps the verifier in an HttpOnly cookie bound to the state', async () => {
    const { issuer } = pool();
    configure(issuer);
    const { start, location, state } = await startSignIn();
    expect(`${location.origin}${location.pathname}`).toBe('https://auth.example.org/oauth2/authorize');
    expect(location.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(location.searchParams.get('response_type')).toBe('code');
    expect(location.searchParams.get('redirect_uri')).toBe('https://complaints.example.org/staff/callback');
    expect(location.searchParams.get('scope')).toBe('openid email');
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    const cookie = new RegExp(
      `^staff_oauth_state=${state}\\.([A-Za-z0-9_-]{43})\\.[A-Za-z0-9_-]*\\.\\d+\\.[A-Za-z0-9_-]{43}; HttpOnly; Secure; SameSite=Lax; Path=/staff; Max-Age=600$`,
    ).exec(start.cookies[0] ?? '');
    const verifier = cookie?.[1] ?? '';
    expect(verifier).not.toBe('');
    expect(location.searchParams.get('code_challenge')).toBe(
      createHash('sha256').update(verifier).digest('base64url'),
    );
    expect(start.location).not.toContain(verifier);
    // A fresh verifier for every sign-in.
    expect((await startSignIn()).stateCookie).not.toContain(verifier);
  });

  it('exchanges the code with its verifier, verifies the ID token and sets the session', async () => {
    const { privateKey, issuer, claims } = pool();
    configure(issuer);
    const { state, stateCookie } = await startSignIn();
    const verifier = stateCookie.split('.')[1];

    const forged = await get(callback, '/staff/callback', { code: 'c', state: 'other' }, [stateCookie]);
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('Sign-in could not be completed');
    const noVerifier = await get(callback, '/staff/callback', { code: 'c', state }, [
      `staff_oauth_state=${state}`,
    ]);
    expect(noVerifier.status).toBe(400);

    const idToken = token(privateKey, claims);
    const fetcher = vi.fn(async () => new Response(JSON.stringify({ id_token: idToken }), { status: 200 }));
    vi.stubGlobal('fetch', fetcher);
    const done = await get(callback, '/staff/callback', { code: 'the-code', state }, [stateCookie]);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/staff');
    expect(done.cookies[0]).toBe(
      `staff_session=${idToken}; HttpOnly; Secure; SameSite=Lax; Path=/staff; Max-Age=3600`,
    );
    expect(done.cookies[1]).toBe(
      'staff_oauth_state=; HttpOnly; Secure; SameSite=Lax; Path=/staff; Max-Age=0',
    );
    const [url, init] = fetcher.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('https://auth.example.org/oauth2/token');
    expect(Object.fromEntries(new URLSearchParams(String(init.body)))).toEqual({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code: 'the-code',
      redirect_uri: 'https://complaints.example.org/staff/callback',
      code_verifier: verifier,
    });

    const out = await get(signOut, '/staff/sign-out');
    expect(out.location).toBe(
      `https://auth.example.org/logout?client_id=${CLIENT_ID}&logout_uri=${encodeURIComponent('https://complaints.example.org/staff')}`,
    );
  });

  it('refuses a state cookie that was changed, signed with another key, or kept past its 10 minutes: 400 and a link to sign in again', async () => {
    const { privateKey, issuer, claims } = pool();
    configure(issuer);
    const { state, stateCookie } = await startSignIn();
    const value = stateCookie.slice('staff_oauth_state='.length);
    const parts = value.split('.');
    const flip = (text: string) => `${text.slice(0, -1)}${text.endsWith('A') ? 'B' : 'A'}`;
    const altered = parts.map((_, index) =>
      parts.map((part, i) => (i === index ? flip(part) : part)).join('.'),
    );
    const otherVerifier = randomBytes(32).toString('base64url');
    const [, , next = '', expiry = ''] = parts;
    const mac = (key: string, payload: string) =>
      createHmac('sha256', key).update(payload).digest('base64url');
    const payload = `staff-sign-in-v1.${state}.${otherVerifier}.${next}.${expiry}`;
    const csrfKey = process.env.CSRF_KEY ?? '';
    const fetcher = vi.fn(async () => new Response(JSON.stringify({ id_token: token(privateKey, claims) })));
    vi.stubGlobal('fetch', fetcher);
    for (const forged of [
      ...altered,
      `${state}.${otherVerifier}.${next}.${expiry}`,
      `${value}.extra`,
      `${state}.${otherVerifier}.${next}.${expiry}.${mac(csrfKey, payload)}`,
      `${state}.${otherVerifier}.${next}.${expiry}.${mac(deriveKey(csrfKey, 'staff-csrf-v1'), payload)}`,
    ]) {
      const answer = await get(callback, '/staff/callback', { code: 'c', state }, [
        `staff_oauth_state=${forged}`,
      ]);
      expect(answer.status, forged).toBe(400);
      expect(answer.body).toContain('its cookie was changed');
      expect(answer.body).toContain('href="/staff/sign-in"');
    }
    const missing = await get(callback, '/staff/callback', { code: 'c', state });
    expect(missing.status).toBe(400);
    expect(fetcher).not.toHaveBeenCalled();

    // The tests' clock is fake (useLocalAws): ten minutes and a second pass.
    const startedAt = Date.now();
    vi.setSystemTime(startedAt + 601_000);
    const late = await get(callback, '/staff/callback', { code: 'c', state }, [stateCookie]);
    vi.setSystemTime(startedAt);
    expect(late.status).toBe(400);
    expect(late.body).toContain('took too long and has expired');
    expect(late.body).toContain('href="/staff/sign-in"');
    expect(fetcher).not.toHaveBeenCalled();
    // The untouched cookie, in time, still signs in.
    expect((await get(callback, '/staff/callback', { code: 'c', state }, [stateCookie])).status).toBe(303);
    vi.unstubAllGlobals();
  });

  it('refuses a returned token that is not a valid ID token for our client', async () => {
    const { privateKey, issuer, claims } = pool();
    configure(issuer);
    const { state, stateCookie } = await startSignIn();
    const accessToken = token(privateKey, {
      ...claims,
      token_use: 'access',
      aud: undefined,
      client_id: CLIENT_ID,
    });
    vi.stubGlobal(
      'fetch',
      async () => new Response(JSON.stringify({ id_token: accessToken }), { status: 200 }),
    );
    const refused = await get(callback, '/staff/callback', { code: 'the-code', state }, [stateCookie]);
    expect(refused.status).toBe(403);
    expect(refused.cookies.join(';')).not.toContain('staff_session=ey');
  });

  it('fails closed: without the pool issuer configured nobody is signed in, never unverified', async () => {
    const { privateKey, claims } = pool();
    configure(undefined);
    const start = await get(signInPage, '/staff/sign-in');
    expect(start.status).toBe(503);
    expect(start.body).toContain('COGNITO_ISSUER');
    const fetcher = vi.fn(async () => new Response(JSON.stringify({ id_token: 'a.b.c' }), { status: 200 }));
    vi.stubGlobal('fetch', fetcher);
    // Before: the callback skipped verification when COGNITO_ISSUER was unset and set "a.b.c" as the session.
    const done = await get(callback, '/staff/callback', { code: 'the-code', state: 'x'.repeat(22) }, [
      `staff_oauth_state=${'x'.repeat(22)}.${'v'.repeat(43)}.`,
    ]);
    expect(done.status).toBe(503);
    expect(done.cookies.join(';')).not.toContain('staff_session=a.b.c');
    expect(fetcher).not.toHaveBeenCalled();
    const signedIn = await pageStaff(
      apiEvent({ cookies: [`${SESSION_COOKIE}=${token(privateKey, claims)}`] }),
    );
    expect(signedIn).toBeUndefined();
    await expect(verifyIdToken(undefined, token(privateKey, claims))).rejects.toThrow(/not configured/);
  });
});

describe('ID token verification (aws-jwt-verify)', () => {
  it('accepts an ID token for our client signed by the pool, as the same sub with the email beside it', async () => {
    const { privateKey, issuer, settings, claims } = pool();
    configure(issuer);
    await expect(verifyIdToken(settings, token(privateKey, claims))).resolves.toMatchObject({
      sub: claims.sub,
    });
    const staff = await pageStaff(apiEvent({ cookies: [`${SESSION_COOKIE}=${token(privateKey, claims)}`] }));
    expect(staff).toEqual({
      kind: 'staff',
      id: claims.sub,
      role: 'handler',
      email: 'hannah@landlord.example',
    });
  });

  it('refuses access tokens, other clients, expired and not-yet-valid tokens, tampering and other keys', async () => {
    const { privateKey, settings, claims } = pool();
    const now = Math.floor(Date.now() / 1000);
    const refused: Array<[string, string, RegExp]> = [
      ['access token', token(privateKey, { ...claims, token_use: 'access' }), /not valid/],
      ['another client', token(privateKey, { ...claims, aud: 'someone-else' }), /not valid/],
      ['another pool', token(privateKey, { ...claims, iss: `${claims.iss}x` }), /not valid/],
      ['expired', token(privateKey, { ...claims, exp: now - 1 }), /expired/],
      ['not yet valid', token(privateKey, { ...claims, nbf: now + 3600 }), /expired|not valid/],
      ['no expiry', token(privateKey, { ...claims, exp: undefined }), /not valid/],
    ];
    const [header, , signature] = token(privateKey, claims).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['admin'] })).toString(
      'base64url',
    );
    refused.push(['tampered', `${header}.${forged}.${signature}`, /not valid/]);
    refused.push([
      'another key',
      token(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, claims),
      /not valid/,
    ]);
    for (const [what, jwt, message] of refused) {
      await expect(verifyIdToken(settings, jwt), what).rejects.toThrow(message);
    }
  });

  it('refuses a key the pool publishes for encryption, not signing (JWK use)', async () => {
    const { privateKey, settings, claims } = pool({ use: 'enc' });
    await expect(verifyIdToken(settings, token(privateKey, claims))).rejects.toThrow(/not valid/);
  });
});

describe('CSRF tokens for staff forms', () => {
  const sessionA = apiEvent({ cookies: [`${SESSION_COOKIE}=session-a`] });
  const sessionB = apiEvent({ cookies: [`${SESSION_COOKIE}=session-b`] });

  it('are accepted only from the session they were issued to, until they expire', async () => {
    const deps = await dependencies();
    const staff = { id: 'sub-1' };
    const issued = csrfToken({ deps, event: sessionA, staff });
    expect(() => checkCsrf({ deps, event: sessionA, staff }, issued)).not.toThrow();
    // Real time, not the (faked) Date the local runtime's virtual clock moves: advancing it ages no form.
    vi.setSystemTime(Date.now() + 10 * CSRF_TTL_MS);
    expect(() => checkCsrf({ deps, event: sessionA, staff }, issued)).not.toThrow();
    // Same person, another session (signed in again elsewhere): refused.
    expect(() => checkCsrf({ deps, event: sessionB, staff }, issued)).toThrow(/expired or did not come from/);
    expect(() => checkCsrf({ deps, event: sessionA, staff }, undefined)).toThrow(/did not come from/);
    const issuedAt = new Date('2026-03-02T10:00:00Z');
    const early = csrfToken({ deps, event: sessionA, staff }, issuedAt);
    const later = (ms: number) => new Date(issuedAt.getTime() + ms);
    expect(() => checkCsrf({ deps, event: sessionA, staff }, early, later(CSRF_TTL_MS - 1000))).not.toThrow();
    expect(() => checkCsrf({ deps, event: sessionA, staff }, early, later(CSRF_TTL_MS + 1000))).toThrow(
      /expired/,
    );
  });

  it('are signed with their own HKDF-derived key: a token made with the link-signing key is refused', async () => {
    const deps = await dependencies();
    const ctx = { deps, event: sessionA };
    const [expiry] = csrfToken(ctx).split('.');
    const session = createHash('sha256').update('session-a').digest('base64url');
    for (const key of [deps.secrets.linkSigningKey, deps.secrets.contactHashKey]) {
      const mac = createHmac('sha256', key).update(`staff-csrf-v1.${session}.${expiry}`).digest('base64url');
      expect(() => checkCsrf(ctx, `${expiry}.${mac}`)).toThrow(/did not come from/);
    }
    // The old form of token (an HMAC of the staff id with the link key) is refused too.
    const old = createHmac('sha256', deps.secrets.linkSigningKey).update('csrf:sub-1').digest('base64url');
    expect(() => checkCsrf({ ...ctx, staff: { id: 'sub-1' } }, old)).toThrow(/did not come from/);
    expect(deriveKey('master-key-0123456789abcdef0123456789', 'staff-csrf-v1')).not.toBe(
      deriveKey('master-key-0123456789abcdef0123456789', 'case-link-v1'),
    );
  });

  it('accept one canonical form only, with the expiry covered by the MAC', () => {
    const key = deriveKey('master-key-0123456789abcdef0123456789', 'staff-csrf-v1');
    const now = new Date('2026-03-02T10:00:00Z');
    const issued = issueCsrfToken(key, 'session-a', new Date(now.getTime() + 3600_000));
    expect(() => verifyCsrfToken(key, 'session-a', issued, now)).not.toThrow();
    const [expiry, mac = ''] = issued.split('.');
    const last = mac.at(-1) ?? 'A';
    // A different last character that decodes to the same bytes (the unused low bits differ).
    const sibling = 'AEIMQUYcgkosw048'
      .split('')
      .find(
        (c) =>
          c !== last &&
          Buffer.from(`${mac.slice(0, -1)}${c}`, 'base64url').equals(Buffer.from(mac, 'base64url')),
      );
    const altered = [
      `${Number(expiry) + 3600}.${mac}`,
      `${expiry}.${mac}.extra`,
      `${expiry}.${mac}x`,
      ` ${issued}`,
      `${expiry}.${mac.slice(0, -1)}${sibling ?? '!'}`,
    ];
    for (const token of altered) expect(() => verifyCsrfToken(key, 'session-a', token, now), token).toThrow();
  });
});
