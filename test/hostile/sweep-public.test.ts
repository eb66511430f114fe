import fc from 'fast-check';
import { describe, it } from 'vitest';
import { CONTACT_METHODS } from '#shared/domain/case.ts';
import { IntakeInput as intakeInputSchema } from '#shared/usecases/intake.ts';
import { ResidentAction as residentActionSchema } from '#shared/usecases/resident-case.ts';
import { multipart, SAMPLES } from '../support/multipart.ts';
import {
  alteredToken,
  choice,
  civilDate,
  configureSignIn,
  dateFields,
  encode,
  FORM,
  fieldOf,
  formOf,
  fromZod,
  hostileSegment,
  hostileString,
  jsonBodyOf,
  PERCENT_GARBAGE,
  type RealCase,
  runs,
  type Sent,
  textField,
  urlencoded,
  useSweep,
} from './sweep-support.ts';

const IntakeInput = intakeInputSchema();
const ResidentAction = residentActionSchema();

/**
 * The public request schemas, swept with arbitraries derived from the zod schemas that parse them: the
 * complaint (JSON and the form), the resident's actions (JSON and the three forms), the signed link and the
 * case id on every resident page, and the cookies the sign-in pages read. Each input is valid, has one
 * thing wrong, or is hostile; every answer must be below 500 with a 4xx that says what is wrong, and an
 * input the schema refuses must never succeed. Fixed seeds: a failure prints the request and reproduces.
 */

/** Cases the generated requests act on; a case that closes is replaced, so later runs still reach past it. */
const { sweep, pool, send, property } = useSweep('public schemas', { size: 4, maxReplacements: 3 });

const accept = fc.constantFrom('text/html', 'application/json', '*/*', '');
const slot = pool.slot;

/** Whether a JSON text, parsed and treated as the handler treats it, passes a schema. */
function passes(
  schema: { safeParse(value: unknown): { success: boolean } },
  text: string,
  shape: (parsed: unknown) => unknown,
) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  return schema.safeParse(shape(parsed)).success;
}

// ---------------------------------------------------------------------------------------------------------
// The complaint

const dates = { happenedOn: civilDate, becameAwareOn: civilDate };
const intake = fromZod(IntakeInput, dates);
const KEY = /^[A-Za-z0-9_-]{8,100}$/;
let freshKeys = 0;

describe('POST /complaints (IntakeInput)', () => {
  it('never a 5xx; a body the schema refuses is refused', async () => {
    const key = fc.oneof(
      // A new case costs the workflow's start (hundreds of ms here): few runs make one, most reuse a key.
      { weight: 1, arbitrary: fc.constant('FRESH') },
      { weight: 150, arbitrary: fc.constantFrom('sweep-pool-key-1', 'sweep-pool-key-2') },
      {
        weight: 50,
        arbitrary: fc.oneof(
          fc.constant(undefined),
          hostileString(120),
          fc.constantFrom('short', 'k'.repeat(101), 'sweep key 1'),
        ),
      },
    );
    await property(
      'IntakeInput (POST /complaints)',
      20_261_301,
      runs(1200),
      fc.record({ body: jsonBodyOf(intake), key, accept }),
      async (input) => {
        const idempotencyKey = input.key === 'FRESH' ? `sweep-fresh-${++freshKeys}` : input.key;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
        if (input.accept) headers.accept = input.accept;
        const valid =
          KEY.test(idempotencyKey ?? '') &&
          passes(IntakeInput, input.body, (parsed) => ({ ...(parsed as object), channel: 'web' }));
        await send({ method: 'POST', target: '/complaints', headers, body: input.body }, { refused: !valid });
      },
    );
  }, 600_000);
});

/** The complaint form's fields, each from the IntakeInput field it fills. */
const complaintForm = formOf({
  whatHappened: textField(fieldOf(IntakeInput, 'complaint.whatHappened'), true),
  outcomeWanted: textField(fieldOf(IntakeInput, 'complaint.outcomeWanted'), true),
  ...dateFields('happenedOn'),
  ...dateFields('becameAwareOn'),
  name: textField(fieldOf(IntakeInput, 'complainant.name'), true),
  preferredContact: choice(CONTACT_METHODS),
  email: textField(fieldOf(IntakeInput, 'complainant.email')),
  phone: textField(fieldOf(IntakeInput, 'complainant.phone')),
  address: textField(fieldOf(IntakeInput, 'complainant.address')),
  reasonableAdjustments: textField(fieldOf(IntakeInput, 'complainant.reasonableAdjustments')),
  onBehalf: choice(['yes', 'no']),
  representativeName: textField(fieldOf(IntakeInput, 'complainant.representative.name')),
  representativeRelationship: textField(fieldOf(IntakeInput, 'complainant.representative.relationship')),
  representativeConsent: choice(['yes'], false),
  // Mostly keys already used (a conflict, answered 409 once the form passes): few new cases are made.
  idempotencyKey: {
    valid: fc.constantFrom('sweep-form-key-1', 'sweep-form-key-2', 'sweep-form-key-3'),
    // A malformed key is replaced by a new one (a new case): mostly odd keys of the right shape instead.
    nearValid: fc.oneof(
      {
        weight: 9,
        arbitrary: fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', ' sweep-form-key-1 '),
      },
      { weight: 1, arbitrary: fc.oneof(hostileString(120), fc.constant('short')) },
    ),
    required: true,
  },
});

describe('POST /complain (the complaint form, urlencoded and multipart)', () => {
  it('never a 5xx; every refusal says what is wrong', async () => {
    const file = fc.option(
      fc.record({
        filename: fc.oneof(
          fc.constantFrom('photo.png', 'a.pdf', '../../etc/passwd', 'x.exe', ''),
          hostileString(60),
        ),
        bytes: fc.oneof(fc.constant(SAMPLES.png), fc.uint8Array({ maxLength: 200 })),
        contentType: fc.constantFrom('image/png', 'application/pdf', 'text/html', 'application/octet-stream'),
      }),
      { freq: 3 },
    );
    const encoding = fc.oneof(
      { weight: 7, arbitrary: fc.constant<'urlencoded' | 'multipart'>('urlencoded') },
      { weight: 3, arbitrary: fc.constant<'urlencoded' | 'multipart'>('multipart') },
    );
    await property(
      'IntakeInput (POST /complain form)',
      20_261_302,
      runs(600),
      fc.record({
        pairs: complaintForm,
        encoding,
        file,
        garbage: fc.option(fc.constantFrom(...PERCENT_GARBAGE), { freq: 8 }),
        accept,
      }),
      async (input) => {
        let body: Buffer | string;
        let contentType = FORM;
        if (input.encoding === 'urlencoded') body = urlencoded(input.pairs, input.garbage ?? undefined);
        else {
          const parts = input.pairs.map(([name, value]) => ({ name, value }));
          const built = multipart(input.file ? [...parts, { name: 'attachments', ...input.file }] : parts);
          body = built.body;
          contentType = built.contentType;
        }
        const headers: Record<string, string> = { 'content-type': contentType };
        if (input.accept) headers.accept = input.accept;
        await send({ method: 'POST', target: '/complain', headers, body });
      },
    );
  }, 600_000);
});

// ---------------------------------------------------------------------------------------------------------
// The resident's link and actions

type TokenKind =
  | 'valid'
  | 'altered'
  | 'expired'
  | 'other-case'
  | 'unknown-case'
  | 'odd-case-id'
  | 'hostile'
  | 'missing';
const tokenKind = fc.oneof(
  { weight: 4, arbitrary: fc.constant<TokenKind>('valid') },
  {
    weight: 1,
    arbitrary: fc.constantFrom<TokenKind>(
      'altered',
      'expired',
      'other-case',
      'unknown-case',
      'odd-case-id',
      'hostile',
      'missing',
    ),
  },
);
const tokenNoise = fc.record({ altered: fc.nat(), hostile: hostileString(500, { huge: false }) });

/** The token a request carries, and whether it is the real, current link for `real`. */
function tokenFor(
  kind: TokenKind,
  real: RealCase,
  other: RealCase,
  noise: { altered: number; hostile: string },
): string | undefined {
  const future = new Date(sweep().system.clock.now().getTime() + 86_400_000);
  switch (kind) {
    case 'valid':
      return real.token;
    case 'altered':
      return fc.sample(alteredToken(real.token), { seed: noise.altered, numRuns: 1 })[0];
    case 'expired':
      return sweep().sign(real.caseId, new Date(sweep().system.clock.now().getTime() - 1000));
    case 'other-case':
      return other.token;
    case 'unknown-case':
      return sweep().sign('no-such-case-0000', future);
    case 'odd-case-id':
      // Signed with the real key (only we could make these), for ids no case has or could have.
      return sweep().sign(['a'.repeat(300), 'x.y', '../x', '%zz', ''][noise.altered % 5] ?? '', future);
    case 'hostile':
      return noise.hostile;
    case 'missing':
      return undefined;
  }
}

type PathKind = 'own' | 'other' | 'hostile';

/** Whether the link is the real, current one for the case in the path (only then may a request succeed). */
function linkMatches(token: TokenKind, path: PathKind): boolean {
  return (token === 'valid' && path === 'own') || (token === 'other-case' && path === 'other');
}
const pathKind = fc.oneof(
  { weight: 10, arbitrary: fc.constant<PathKind>('own') },
  { weight: 1, arbitrary: fc.constant<PathKind>('other') },
  { weight: 1, arbitrary: fc.constant<PathKind>('hostile') },
);
function caseSegment(kind: PathKind, real: RealCase, other: RealCase, hostile: string): string {
  return kind === 'own' ? real.caseId : kind === 'other' ? other.caseId : hostile;
}

const residentAction = fromZod(ResidentAction);
/** Valid actions, withdrawing rarely (it closes the case, and the pool case with it). */
const residentValid = fc.oneof(
  {
    weight: 19,
    arbitrary: residentAction.valid.filter((value) => (value as { action?: string }).action !== 'withdraw'),
  },
  { weight: 1, arbitrary: residentAction.valid },
);

/** Which pool case a request is about, and the path and link it carries (each field keyed as it always was). */
const linkTarget = {
  slot,
  otherSlot: slot,
  pathKind,
  segment: hostileSegment,
  tokenKind,
  noise: tokenNoise,
};

describe('POST /cases/{caseId}/actions (ResidentAction and the link token)', () => {
  it('never a 5xx; an action the schema refuses, or a link that is not the real one, is refused', async () => {
    await property(
      'ResidentAction (POST /cases/{caseId}/actions)',
      20_261_303,
      runs(1400),
      fc.record({
        ...linkTarget,
        inQuery: fc.boolean(),
        action: fc.oneof(
          // Valid actions on the real link reach the table (and lengthen the case's log): one run in ten.
          { weight: 1, arbitrary: residentValid.map((json) => ({ json })) },
          { weight: 8, arbitrary: residentAction.nearValid.map((json) => ({ json })) },
          {
            weight: 1,
            arbitrary: fc.constantFrom('null', '[]', '42', '"escalate"', '{', '').map((raw) => ({ raw })),
          },
        ),
      }),
      async (input) => {
        const real = pool.at(input.slot);
        const other = pool.otherThan(input.slot, input.otherSlot);
        const token = tokenFor(input.tokenKind, real, other, input.noise);
        let body: string;
        let refused = !linkMatches(input.tokenKind, input.pathKind);
        if ('raw' in input.action) {
          body = input.action.raw;
          refused = true;
        } else {
          const json = input.action.json;
          if (json && typeof json === 'object' && !Array.isArray(json)) {
            body = JSON.stringify(!input.inQuery && token !== undefined ? { ...json, token } : json);
            refused ||= !ResidentAction.safeParse(json).success;
          } else {
            body = JSON.stringify(json);
            refused = true;
          }
        }
        const query = input.inQuery && token !== undefined ? `?token=${encode(token)}` : '';
        const answer = await send(
          {
            method: 'POST',
            target: `/cases/${caseSegment(input.pathKind, real, other, input.segment)}/actions${query}`,
            headers: { 'content-type': 'application/json' },
            body,
          },
          { refused },
        );
        if (!refused && (answer.statusCode ?? 500) < 400) await pool.replaceIfClosed(input.slot);
      },
    );
  }, 600_000);
});

describe('the resident forms: POST /cases/{caseId}/escalate, /withdraw and /add-information', () => {
  it('never a 5xx; every refusal says what is wrong', async () => {
    const reason = textField(fieldOf(ResidentAction, 'reason'));
    const forms = {
      escalate: formOf({ reason }),
      withdraw: formOf({ reason }),
      'add-information': formOf({ information: textField(fieldOf(ResidentAction, 'text'), true) }),
    };
    await property(
      'ResidentAction (the three resident forms)',
      20_261_304,
      runs(700),
      fc
        .oneof(
          { weight: 5, arbitrary: fc.constant<keyof typeof forms>('escalate') },
          { weight: 5, arbitrary: fc.constant<keyof typeof forms>('add-information') },
          { weight: 1, arbitrary: fc.constant<keyof typeof forms>('withdraw') },
        )
        .chain((form) =>
          fc.record({
            form: fc.constant(form),
            pairs: forms[form],
            ...linkTarget,
            accept,
            garbage: fc.option(fc.constantFrom(...PERCENT_GARBAGE), { freq: 8 }),
          }),
        ),
      async (input) => {
        const real = pool.at(input.slot);
        const other = pool.otherThan(input.slot, input.otherSlot);
        const token = tokenFor(input.tokenKind, real, other, input.noise);
        const pairs: [string, string][] =
          token === undefined ? input.pairs : [['token', token], ...input.pairs];
        const headers: Record<string, string> = { 'content-type': FORM };
        if (input.accept) headers.accept = input.accept;
        const answer = await send(
          {
            method: 'POST',
            target: `/cases/${caseSegment(input.pathKind, real, other, input.segment)}/${input.form}`,
            headers,
            body: urlencoded(pairs, input.garbage ?? undefined),
          },
          { refused: !linkMatches(input.tokenKind, input.pathKind) },
        );
        if (linkMatches(input.tokenKind, input.pathKind) && (answer.statusCode ?? 500) < 400)
          await pool.replaceIfClosed(input.slot);
      },
    );
  }, 600_000);
});

describe('the link token and case id on every resident page (GET)', () => {
  it('never a 5xx; a link that is not the real one is refused', async () => {
    const page = fc.constantFrom('', '/escalate', '/withdraw', '/add-information');
    const extraQuery = fc.option(
      fc.oneof(
        fc.constantFrom(...PERCENT_GARBAGE).map((garbage) => `&token=${garbage}&x=${garbage}`),
        hostileString(60).map((text) => `&token=${encode(text)}`),
        fc.constantFrom('&token=', '&__proto__=1', '&constructor=x'),
      ),
      { freq: 5 },
    );
    await property(
      'the link token and case id (GET /cases/{caseId}...)',
      20_261_305,
      runs(1000),
      fc.record({
        page,
        ...linkTarget,
        accept,
        extraQuery,
        rawToken: fc.boolean(),
      }),
      async (input) => {
        const real = pool.at(input.slot);
        const other = pool.otherThan(input.slot, input.otherSlot);
        const token = tokenFor(input.tokenKind, real, other, input.noise);
        // Some tokens go unencoded, as a mangled link might arrive.
        const query =
          token === undefined
            ? ''
            : `?token=${input.rawToken && input.tokenKind !== 'hostile' ? token : encode(token)}`;
        const headers: Record<string, string> = {};
        if (input.accept) headers.accept = input.accept;
        await send(
          {
            method: 'GET',
            target: `/cases/${caseSegment(input.pathKind, real, other, input.segment)}${input.page}${query}${input.extraQuery ?? ''}`,
            headers,
          },
          // A repeated token parameter leaves which one counts to the adapter: only a clean link must work.
          { refused: !linkMatches(input.tokenKind, input.pathKind) && input.extraQuery === null },
        );
      },
    );
  }, 600_000);
});

// ---------------------------------------------------------------------------------------------------------
// Cookies

const STATE = /^[A-Za-z0-9_-]{22}$/;
const b64 = (text: string) => Buffer.from(text).toString('base64url');

describe('cookies on the sign-in pages and the resident pages', () => {
  it('never a 5xx; every refusal says what is wrong', async () => {
    const state = fc.stringMatching(/^[A-Za-z0-9_-]{22}$/);
    const verifier = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/);
    const next = fc.constantFrom(
      '/staff',
      '/staff/case/abc',
      '//evil.example',
      '/\\evil',
      'https://evil.example',
    );
    const stateCookie = fc.oneof(
      fc.tuple(state, verifier, next).map(([s, v, n]) => `${s}.${v}.${b64(n)}`),
      fc.tuple(state, verifier).map(([s, v]) => `${s}.${v}`),
      fc.tuple(state, verifier, next).map(([s, v, n]) => `${s}.${v}.${b64(n)}.extra`),
    );
    const jwt = fc
      .record({
        kid: fc.oneof(fc.constant('key-1'), hostileString(20)),
        alg: fc.constantFrom('RS256', 'none', 'HS256'),
        sub: hostileString(40),
      })
      .map(
        ({ kid, alg, sub }) =>
          `${b64(JSON.stringify({ kid, alg }))}.${b64(JSON.stringify({ sub, token_use: 'id', exp: 9e9 }))}.${b64('sig')}`,
      );
    const value = fc.oneof(
      stateCookie,
      jwt,
      fc.constantFrom('hannah', 'mo', 'nobody', ''),
      fc.constantFrom(...PERCENT_GARBAGE),
      hostileString(80).map(encode),
      hostileString(80).map((text) => text.replace(/[;\r\n]/g, '')),
      fc.constant('x'.repeat(8000)),
      fc.constantFrom('"quoted"', 'a=b=c', '%22%3E%3Cscript%3E'),
    );
    const cookieHeader = fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom('staff_session', 'staff_oauth_state', 'local_user', 'local_session'),
            fc.constantFrom('', ' staff_session', 'x', '__proto__'),
          ),
          value,
        ),
        {
          minLength: 1,
          maxLength: 4,
        },
      )
      .map((pairs) => pairs.map(([name, v]) => `${name}=${v}`).join('; '));
    const route = fc.constantFrom(
      'callback',
      'callback',
      'callback',
      'sign-in',
      'sign-in-post',
      'sign-out',
      'case-page',
      'home',
      'staff-page',
    );
    await property(
      'cookies (sign-in, callback, resident and staff pages)',
      20_261_306,
      runs(1500),
      fc.record({
        route,
        cookie: cookieHeader,
        state: fc.oneof(state, hostileString(30)),
        code: fc.oneof(fc.constant('the-code'), hostileString(40)),
        aws: fc.boolean(),
        slot,
      }),
      async (input) => {
        const headers: Record<string, string> = { cookie: input.cookie, accept: 'text/html' };
        // The sign-in pages as they run in AWS (Cognito configured, the token endpoint refusing every code)
        // or locally (demo users); the state from the cookie is sometimes the one in the query.
        configureSignIn(input.route === 'callback' || input.aws);
        const cookieState = /staff_oauth_state=([^.;]*)/.exec(input.cookie)?.[1];
        const stateParam = cookieState && STATE.test(cookieState) && input.aws ? cookieState : input.state;
        const real = pool.at(input.slot);
        const request: Sent =
          input.route === 'callback'
            ? {
                method: 'GET',
                target: `/staff/callback?code=${encode(input.code)}&state=${encode(stateParam)}`,
                headers,
              }
            : input.route === 'sign-in'
              ? { method: 'GET', target: '/staff/sign-in?next=%2Fstaff', headers }
              : input.route === 'sign-in-post'
                ? {
                    method: 'POST',
                    target: '/staff/sign-in',
                    headers: { ...headers, 'content-type': FORM },
                    body: 'user=hannah&next=%2Fstaff',
                  }
                : input.route === 'sign-out'
                  ? { method: 'GET', target: '/staff/sign-out', headers }
                  : input.route === 'case-page'
                    ? { method: 'GET', target: `/cases/${real.caseId}?token=${encode(real.token)}`, headers }
                    : input.route === 'home'
                      ? { method: 'GET', target: '/', headers }
                      : { method: 'GET', target: '/staff/search?q=Resident', headers };
        await send(request);
      },
    );
    configureSignIn(false);
  }, 600_000);
});
