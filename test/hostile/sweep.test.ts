import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { ALL_ROUTES, type RouteDefinition } from '#functions/routes.ts';
import { multipart } from '../support/multipart.ts';
import { configureSignIn, expectSafe, PERCENT_GARBAGE, runs, useSweep } from './sweep-support.ts';

/**
 * Property-based sweep: hostile paths, queries, cookies, headers and bodies on every route, driven in
 * process through the local runtime's own adapter (dispatch builds the HTTP API v2 event) against dynalite.
 * Every answer must be below 500, and every 4xx must say what is wrong. Fixed seeds, so a failure
 * reproduces; fast-check prints the request that failed.
 */

/**
 * Runs per route: this sweep sends generic hostile requests to every route (any path, query, cookie, header
 * and body shape); the per-schema sweeps (sweep-public, sweep-staff) go deep on each request schema. The
 * manager page, which reads every open case, gets fewest. SWEEP_SCALE multiplies them all.
 */
function runsFor(route: RouteDefinition): number {
  const base =
    route.access === 'public' && route.module.startsWith('api/')
      ? 200
      : route.access === 'public' || route.access === 'asset'
        ? 100
        : route.access === 'staff'
          ? 60
          : route.path === '/staff/manager'
            ? 10
            : 40;
  return runs(base);
}

const { sweep, pool, tally } = useSweep('every route', { size: 1, maxReplacements: 0 });
/** A real case, its link token and its open task, so generated requests also reach past the first checks. */
const real = { caseId: '', token: '', taskId: '' };

beforeAll(async () => {
  const first = pool.at(0);
  Object.assign(real, first, { taskId: (await pool.currentTask(first)).taskId });
});

/** A path segment as a hostile client might send it: raw or encoded, malformed, huge, or a real id. */
const segment = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom(...PERCENT_GARBAGE),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom(...PERCENT_GARBAGE)).map(([a, b]) => `${a}${b}`),
  fc.integer({ min: 101, max: 3000 }).map((length) => 'a'.repeat(length)),
  fc.constantFrom('..', '.', '-', '_', '0', '-1', '1e9', 'null', 'undefined', '__proto__', 'constructor'),
  fc.constant('REAL_CASE'),
  fc.constant('REAL_TASK'),
);

const hostileText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE cases; --",
    '{{7*7}}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as plain text
    '${7*7}',
    '\u202Egnp.exe',
    '\r\nSet-Cookie: x=1',
    '%',
    'REAL_TOKEN',
  ),
  fc.integer({ min: 1000, max: 20_000 }).map((length) => 'x'.repeat(length)),
);

const query = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(
      fc.constantFrom('token', 'role', 'next', 'code', 'state', 'error', 'assignee', 'x'),
      hostileText,
      {
        maxKeys: 3,
      },
    )
    .map((entries) => `?${new URLSearchParams(entries).toString()}`),
  fc.constantFrom(...PERCENT_GARBAGE).map((garbage) => `?token=${garbage}&next=${garbage}`),
);

const cookie = fc.oneof(
  fc.constant(undefined),
  fc
    .array(
      fc.tuple(
        fc.constantFrom('staff_session', 'staff_oauth_state', 'local_user', 'x', ''),
        fc.oneof(
          hostileText.map(encodeURIComponent),
          fc.constantFrom(...PERCENT_GARBAGE),
          fc.constant('hannah'),
        ),
      ),
      { maxLength: 3 },
    )
    .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('; ')),
);

const jsonish = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.constantFrom('null', '[]', '42', '"x"', 'true', '{', '{"a":', '\u0000', ''),
  fc
    .record(
      {
        token: hostileText,
        action: fc.oneof(
          fc.constantFrom('escalate', 'withdraw', 'add-information', 'triage', 'note'),
          hostileText,
        ),
        text: hostileText,
        reason: hostileText,
        complainant: fc.oneof(fc.dictionary(fc.string({ maxLength: 12 }), hostileText), hostileText),
        complaint: fc.oneof(fc.dictionary(fc.string({ maxLength: 12 }), hostileText), fc.constant(null)),
        __proto__: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
);

const body = fc.oneof(
  fc.constant(undefined),
  jsonish.map((text) => ({ contentType: 'application/json', bytes: Buffer.from(text) })),
  fc
    .dictionary(
      fc.constantFrom(
        'csrf',
        'token',
        'action',
        'text',
        'reason',
        'user',
        'next',
        'whatHappened',
        'name',
        'email',
      ),
      hostileText,
    )
    .map((fields) => ({
      contentType: 'application/x-www-form-urlencoded',
      bytes: Buffer.from(new URLSearchParams(fields).toString()),
    })),
  fc
    .array(
      fc.record({
        name: fc.oneof(fc.constantFrom('attachments', 'whatHappened', 'name'), fc.string({ maxLength: 20 })),
        value: hostileText,
        filename: fc.option(fc.oneof(fc.constantFrom('a.pdf', 'x.exe', '../../etc/passwd', ''), hostileText)),
        bytes: fc.uint8Array({ maxLength: 200 }),
      }),
      { maxLength: 4 },
    )
    .map((parts) => {
      const built = multipart(
        parts.map((part) =>
          part.filename === null
            ? { name: part.name, value: part.value }
            : { name: part.name, filename: part.filename, bytes: part.bytes },
        ),
      );
      return { contentType: built.contentType, bytes: built.body };
    }),
  fc.tuple(fc.string({ maxLength: 80 }), fc.uint8Array({ maxLength: 300 })).map(([contentType, bytes]) => ({
    contentType,
    bytes: Buffer.from(bytes),
  })),
  fc.constant({ contentType: 'multipart/form-data; boundary=abc', bytes: Buffer.from('--abc\r\nnope') }),
);

const request = fc.record({
  segments: fc.array(segment, { minLength: 3, maxLength: 3 }),
  query,
  cookie,
  body,
  accept: fc.constantFrom('text/html', 'application/json', '*/*', ''),
  idempotencyKey: fc.option(fc.oneof(fc.string({ maxLength: 120 }), fc.constant('sweep-key-00000001'))),
  user: fc.constantFrom(undefined, 'hannah', 'rita', 'mo'),
});

function fill(route: RouteDefinition, segments: string[]): string {
  let index = 0;
  return route.path.replace(/\{[^}]+\}/g, () => {
    const value = segments[index++ % segments.length] ?? '';
    return value === 'REAL_CASE' ? real.caseId : value === 'REAL_TASK' ? real.taskId : value;
  });
}

describe('hostile input sweep: never a 5xx, every 4xx says what is wrong', () => {
  ALL_ROUTES.forEach((route, routeIndex) => {
    it(`${route.method} ${route.path}`, async () => {
      // Sign-in routes are swept as they run in AWS (Cognito configured); everything else as the local runtime.
      configureSignIn(route.module === 'web/staff-sign-in');
      await tally.measure(`${route.method} ${route.path}`, async (count) => {
        await fc.assert(
          fc.asyncProperty(request, async (input) => {
            const bodyText = input.body?.bytes.toString('latin1').replaceAll('REAL_TOKEN', real.token);
            const target = `${fill(route, input.segments)}${input.query.replaceAll('REAL_TOKEN', encodeURIComponent(real.token))}`;
            const headers: Record<string, string> = {};
            if (input.accept) headers.accept = input.accept;
            if (input.cookie !== undefined) headers.cookie = input.cookie;
            if (input.body) headers['content-type'] = input.body.contentType;
            if (input.idempotencyKey !== null) headers['idempotency-key'] = input.idempotencyKey;
            count();
            const sent = {
              method: route.method,
              target,
              headers,
              body: bodyText === undefined ? undefined : Buffer.from(bodyText, 'latin1'),
              user: input.user,
            };
            const result = await sweep().send(sent);
            tally.answered(result.statusCode ?? 200);
            expectSafe(sent, result);
          }),
          { seed: 20_261_206 + routeIndex, numRuns: runsFor(route) },
        );
        await sweep().system.settle();
      });
    }, 600_000);
  });
});
