import { createHash, randomBytes } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type CognitoSettings, cognitoSettingsFrom, verifyIdToken } from '#shared/adapters/cognito.ts';
import { DomainError } from '#shared/domain/errors.ts';
import { deriveKey, issueSignInState, readSignInState, type SignInState } from '#shared/domain/secrets.ts';
import { PageSettings, settings } from '../lib/config.ts';
import { cookie, field, formBody, redirect } from './http.ts';
import { type PageContext, webPage } from './route.ts';
import {
  LOCAL_SESSION_COOKIE,
  LOCAL_USER_COOKIE,
  type LocalUser,
  localUsers,
  randomState,
  SESSION_COOKIE,
} from './staff-auth.ts';
import {
  button,
  errorFor,
  errorSummary,
  type FieldError,
  hidden,
  notificationBanner,
  radios,
} from './ui/components.ts';
import { html } from './ui/html.ts';

/**
 * Between the hosted UI redirect and the callback: the OAuth state, the PKCE code verifier that belongs to it
 * and where to go afterwards, signed with an expiry (`issueSignInState`). HttpOnly, so no script can read the
 * verifier; only the browser that started the sign-in can finish it with the code.
 */
export const STATE_COOKIE = 'staff_oauth_state';
const STATE_MAX_AGE_SECONDS = 600;

/** The sign-in state's own key, derived from the CSRF key: a value signed for one purpose fits no other. */
const signInStateKey = (ctx: PageContext) => deriveKey(ctx.deps.secrets.csrfKey, 'staff-sign-in-state-v1');
const SESSION_MAX_AGE_SECONDS = 3600;

/**
 * Only same-site staff paths: never another origin ("//evil", "https://..."), never a backslash trick or
 * a control character that could reach the Location header.
 */
export function safeNext(next: string | undefined): string {
  if (!next) return '/staff';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return '/staff';
  return /^\/staff(?:[/?#]|$)/.test(next) ? next : '/staff';
}

interface SignInSettings extends CognitoSettings {
  domain: string;
  staffBaseUrl: string;
}

/** All or nothing: without the pool's issuer no token could be verified, so sign-in is not offered at all. */
function cognitoSettings(): SignInSettings | undefined {
  const page = settings(PageSettings);
  const pool = cognitoSettingsFrom(page);
  const domain = page.COGNITO_DOMAIN?.replace(/\/+$/, '');
  const staffBaseUrl = page.STAFF_BASE_URL?.replace(/\/+$/, '');
  if (!pool || !domain || !staffBaseUrl) return undefined;
  return { ...pool, domain, staffBaseUrl };
}

/** PKCE (RFC 7636, S256): the verifier stays in the browser's cookie; only its hash goes to the hosted UI. */
function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function notConfigured(ctx: PageContext): APIGatewayProxyStructuredResultV2 {
  return ctx.render(
    'Staff sign-in is not available',
    html`<h1 class="govuk-heading-l">Staff sign-in is not available</h1>
<p class="govuk-body">Sign-in has not been set up for this service (COGNITO_ISSUER, COGNITO_DOMAIN, COGNITO_CLIENT_ID and STAFF_BASE_URL must be set). Ask your administrator.</p>`,
    { status: 503 },
  );
}

function problemPage(ctx: PageContext, message: string, status = 400): APIGatewayProxyStructuredResultV2 {
  return ctx.render(
    'Sign-in could not be completed',
    html`<h1 class="govuk-heading-l">Sign-in could not be completed</h1>
<p class="govuk-body" data-testid="error-message">${message}</p>
<p class="govuk-body"><a class="govuk-link" href="/staff/sign-in">Sign in again</a></p>`,
    { status },
  );
}

function localSignInPage(
  ctx: PageContext,
  users: readonly LocalUser[],
  next: string,
  options: { errors?: FieldError[]; selected?: string } = {},
): APIGatewayProxyStructuredResultV2 {
  const errors = options.errors ?? [];
  const body = html`${errorSummary(errors)}
${notificationBanner(
  'Local mode',
  html`<p class="govuk-notification-banner__heading">This is local mode: there are no real accounts.</p>
<p class="govuk-body">Choose one of the demo users to act as. In AWS, staff sign in with their own account.</p>`,
)}
<h1 class="govuk-heading-l">Sign in to the staff console</h1>
<form method="post" action="/staff/sign-in" novalidate>
  ${hidden('next', next)}
  ${radios({
    name: 'user',
    legend: 'Who are you signing in as?',
    legendSize: 'm',
    error: errorFor(errors, 'user'),
    value: options.selected,
    items: users.map((user) => ({ value: user.id, text: `${user.name} (${user.role})`, hint: user.email })),
  })}
  ${button('Sign in')}
</form>`;
  return ctx.render('Sign in', body, { status: errors.length ? 422 : 200, hasErrors: errors.length > 0 });
}

/** GET /staff/sign-in?next=...: the demo users locally; the Cognito hosted UI in AWS. */
export const signInPage = webPage(async (ctx) => {
  const next = safeNext(ctx.event.queryStringParameters?.next);
  const users = localUsers();
  if (users) return localSignInPage(ctx, users, next);
  const settings = cognitoSettings();
  if (!settings) return notConfigured(ctx);
  const state = randomState();
  const pkce = pkcePair();
  const location =
    `${settings.domain}/oauth2/authorize?client_id=${encodeURIComponent(settings.clientId)}` +
    `&response_type=code&scope=openid+email` +
    `&redirect_uri=${encodeURIComponent(`${settings.staffBaseUrl}/callback`)}&state=${state}` +
    `&code_challenge=${pkce.challenge}&code_challenge_method=S256`;
  const value = issueSignInState(
    signInStateKey(ctx),
    { state, verifier: pkce.verifier, next: Buffer.from(next).toString('base64url') },
    new Date(ctx.now.getTime() + STATE_MAX_AGE_SECONDS * 1000),
  );
  return redirect(location, [
    `${STATE_COOKIE}=${value}; HttpOnly; Secure; SameSite=Lax; Path=/staff; Max-Age=${STATE_MAX_AGE_SECONDS}`,
  ]);
});

/** POST /staff/sign-in: local mode only, signs in as a demo user. */
export const signIn = webPage(async (ctx) => {
  const users = localUsers();
  if (!users) throw new DomainError('NOT_FOUND', 'There is no such page: sign in through your organisation');
  const body = formBody(ctx.event);
  const next = safeNext(field(body, 'next'));
  const user = users.find((candidate) => candidate.id === field(body, 'user'));
  if (!user) {
    return localSignInPage(ctx, users, next, {
      errors: [{ field: 'user', message: 'Select the demo user to sign in as' }],
    });
  }
  return redirect(next, [
    `${LOCAL_USER_COOKIE}=${encodeURIComponent(user.id)}; HttpOnly; SameSite=Lax; Path=/`,
    `${LOCAL_SESSION_COOKIE}=${randomState()}; HttpOnly; SameSite=Lax; Path=/`,
  ]);
});

/** GET /staff/callback?code&state: the hosted UI sends staff back here; the code becomes a session. */
export const callback = webPage(async (ctx) => {
  const settings = cognitoSettings();
  if (!settings || localUsers()) return notConfigured(ctx);
  const query = ctx.event.queryStringParameters ?? {};
  if (query.error) {
    return problemPage(
      ctx,
      `Your organisation's sign-in service said: ${query.error_description ?? query.error}`,
    );
  }
  let stored: SignInState;
  try {
    stored = readSignInState(signInStateKey(ctx), cookie(ctx.event, STATE_COOKIE) ?? '', ctx.now);
  } catch (error) {
    if (error instanceof DomainError) return problemPage(ctx, error.message);
    throw error;
  }
  const { state: expectedState, verifier: codeVerifier, next: encodedNext } = stored;
  if (!query.code || !query.state || query.state !== expectedState) {
    return problemPage(ctx, 'The sign-in took too long or did not start here. Sign in again.');
  }
  const next = safeNext(encodedNext ? Buffer.from(encodedNext, 'base64url').toString() : undefined);
  let idToken: unknown;
  try {
    const response = await fetch(`${settings.domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: settings.clientId,
        code: query.code,
        redirect_uri: `${settings.staffBaseUrl}/callback`,
        code_verifier: codeVerifier,
      }).toString(),
    });
    if (!response.ok)
      return problemPage(ctx, 'The sign-in code was not accepted (it may have expired). Sign in again.');
    idToken = ((await response.json()) as { id_token?: unknown }).id_token;
  } catch {
    return problemPage(ctx, 'The sign-in service could not be reached. Try again in a moment.', 502);
  }
  if (typeof idToken !== 'string' || idToken.split('.').length !== 3) {
    return problemPage(ctx, 'The sign-in service did not return a session. Sign in again.', 502);
  }
  try {
    await verifyIdToken(settings, idToken);
  } catch (error) {
    return problemPage(ctx, error instanceof DomainError ? error.message : 'Your session is not valid.', 403);
  }
  return redirect(next, [
    `${SESSION_COOKIE}=${idToken}; HttpOnly; Secure; SameSite=Lax; Path=/staff; Max-Age=${SESSION_MAX_AGE_SECONDS}`,
    `${STATE_COOKIE}=; HttpOnly; Secure; SameSite=Lax; Path=/staff; Max-Age=0`,
  ]);
});

/** GET /staff/sign-out: clears the session; in AWS also signs out of the hosted UI. */
export const signOut = webPage(async () => {
  const cleared = [
    `${SESSION_COOKIE}=; HttpOnly; Secure; SameSite=Lax; Path=/staff; Max-Age=0`,
    `${LOCAL_USER_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0`,
    `${LOCAL_SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0`,
    `${STATE_COOKIE}=; HttpOnly; Secure; SameSite=Lax; Path=/staff; Max-Age=0`,
  ];
  const settings = cognitoSettings();
  if (localUsers() || !settings) return redirect('/staff/sign-in', cleared);
  return redirect(
    `${settings.domain}/logout?client_id=${encodeURIComponent(settings.clientId)}&logout_uri=${encodeURIComponent(settings.staffBaseUrl)}`,
    cleared,
  );
});
