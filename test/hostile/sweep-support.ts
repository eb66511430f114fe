import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, vi } from 'vitest';
import * as z from 'zod/mini';
import { ALL_ROUTES } from '#functions/routes.ts';
import type { Step } from '#shared/domain/case.ts';
import { signCaseLink } from '#shared/domain/secrets.ts';
import { loadCase } from '#shared/usecases/case-log.ts';
import { claimsFor, DEMO_USERS } from '../../infra/local/demo-users.ts';
import { type BoundRoute, bindRoutes, dispatch } from '../../infra/local/http-adapter.ts';
import { type LocalSystem, startLocalSystem } from '../../infra/local/system.ts';

/**
 * What the hostile sweeps share: one local system per file (dynalite, the real ASL, in process), requests
 * dispatched through the local runtime's own adapter, the check every answer must pass, hostile values,
 * and arbitraries derived from the zod schemas that parse public input (through zod's JSON Schema export,
 * so a field added to a schema is swept without touching the tests).
 */

const ORIGIN = 'http://127.0.0.1:3000';

/**
 * The share of each sweep's full run count a run makes: all of it in `npm test` (a few thousand requests per
 * public schema). SWEEP_SCALE takes 0.1 while iterating, or 3 for a longer hunt (`npm run sweep:long`). Each
 * sweep's timeout (600 s, in its file) only catches a hang: a sweep takes seconds to tens of seconds of CPU,
 * but the machine is shared (at a load average of 20 one took ten times its CPU in wall time), and a timeout
 * there would fail a sweep that found nothing.
 */
export const DEFAULT_SWEEP_SCALE = 1;

/** A sweep's run count: its full count times SWEEP_SCALE (or the default share). */
export function runs(full: number): number {
  return Math.max(1, Math.round(full * Number(process.env.SWEEP_SCALE ?? DEFAULT_SWEEP_SCALE)));
}

export interface Sent {
  method: string;
  target: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** A demo user id (their verified ID-token claims are attached), or raw claims (hostile tokens). */
  user?: string;
  claims?: Record<string, unknown>;
}

/** Requests sent and time taken, per schema swept: printed when the file ends (the issue asks for the figure). */
export class Tally {
  private readonly counts = new Map<
    string,
    { requests: number; accepted: number; refused: number; ms: number; cpuMs: number }
  >();
  private current = '';
  constructor(private readonly file: string) {}
  private entry(schema: string) {
    const entry = this.counts.get(schema) ?? { requests: 0, accepted: 0, refused: 0, ms: 0, cpuMs: 0 };
    this.counts.set(schema, entry);
    return entry;
  }
  /** Runs one sweep, counting its requests, wall time and CPU time (the figure a loaded machine cannot skew). */
  async measure(schema: string, sweep: (count: () => void) => Promise<void>): Promise<void> {
    let requests = 0;
    this.current = schema;
    const started = performance.now();
    const cpu = process.cpuUsage();
    try {
      await sweep(() => requests++);
    } finally {
      const used = process.cpuUsage(cpu);
      const entry = this.entry(schema);
      entry.requests += requests;
      entry.ms += performance.now() - started;
      entry.cpuMs += (used.user + used.system) / 1000;
    }
  }
  /** Notes an answer's status for the sweep running now. */
  answered(status: number): void {
    const entry = this.entry(this.current);
    if (status < 400) entry.accepted++;
    else entry.refused++;
  }
  /**
   * A sweep that never got past its checks tested only refusals: a broken session, CSRF token or link
   * would look like a pass. Each sweep must have had some inputs accepted.
   */
  expectSomeAccepted(schema: string): void {
    const entry = this.entry(schema);
    if (entry.accepted === 0) {
      throw new Error(
        `${schema}: none of ${entry.refused} answers accepted the input; the sweep only reached refusals`,
      );
    }
  }
  report(): string {
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    const rows = [...this.counts.entries()].map(
      ([schema, { requests, accepted, refused, ms, cpuMs }]) =>
        `  ${schema}: ${requests} requests (${accepted} accepted, ${refused} refused), ${seconds(ms)} s (${seconds(cpuMs)} s CPU)`,
    );
    const total = [...this.counts.values()].reduce(
      (sum, entry) => ({
        requests: sum.requests + entry.requests,
        ms: sum.ms + entry.ms,
        cpuMs: sum.cpuMs + entry.cpuMs,
      }),
      { requests: 0, ms: 0, cpuMs: 0 },
    );
    // The whole file's process too: loading the modules and starting the local system are part of its cost.
    const own = process.cpuUsage();
    const whole = `  the file's process: ${seconds((own.user + own.system) / 1000)} s CPU in ${process.uptime().toFixed(1)} s since it started`;
    return `hostile sweep (${this.file}): ${total.requests} requests in ${seconds(total.ms)} s (${seconds(total.cpuMs)} s CPU)\n${rows.join('\n')}\n${whole}`;
  }
}

export interface SweepSystem {
  system: LocalSystem;
  send(request: Sent): Promise<APIGatewayProxyStructuredResultV2>;
  /** A new case through the public JSON API: its id, reference and signed link token. */
  newCase(name?: string): Promise<RealCase>;
  /** A link token signed with the real key: for any case id, expiring at any time. */
  sign(caseId: string, expiresAt: Date): string;
  /** A valid CSRF token for a demo user's forms (as their pages carry it; no session cookie sent). */
  csrfFor(user: string): Promise<string>;
  stop(): Promise<void>;
}

export interface RealCase {
  caseId: string;
  reference: string;
  token: string;
}

let cases = 0;

/** A pool case's open task (or its latest, not open), with its step. */
export interface CurrentTask {
  taskId: string;
  open: boolean;
  step?: Step;
}

export async function startSweepSystem(): Promise<SweepSystem> {
  const system = await startLocalSystem({
    profile: 'code-baseline',
    start: new Date('2026-03-02T10:00:00Z'),
    // The workflow suite validates the definition; each sweep file would spend a second of CPU on it again.
    validateAsl: false,
  });
  process.env.COMPLAINTS_LOCAL_MODE = '1';
  process.env.COMPLAINTS_LOCAL_USERS = JSON.stringify(DEMO_USERS);
  const routes: BoundRoute[] = await bindRoutes(ALL_ROUTES);
  const send = (request: Sent) => {
    const user = DEMO_USERS.find((candidate) => candidate.id === request.user);
    const claims = request.claims ?? (user ? claimsFor(user) : undefined);
    return dispatch(
      routes,
      {
        method: request.method,
        target: request.target,
        headers: request.headers ?? {},
        body: typeof request.body === 'string' ? Buffer.from(request.body) : request.body,
      },
      {
        origin: ORIGIN,
        now: system.clock.now(),
        claims: (route) => (route.access.startsWith('staff') ? claims : undefined),
      },
    );
  };
  const csrf = new Map<string, string>();
  return {
    system,
    send,
    async newCase(name = 'Ada Resident') {
      cases++;
      const created = await send({
        method: 'POST',
        target: '/complaints',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': `sweep-case-${cases}-${Date.now()}`,
        },
        body: JSON.stringify({
          complainant: { name, email: `resident${cases}@resident.example`, preferredContact: 'email' },
          complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Repair it' },
        }),
      });
      if (created.statusCode !== 201) throw new Error(`Could not make a case: ${String(created.body)}`);
      const body = JSON.parse(String(created.body)) as {
        caseId: string;
        reference: string;
        caseLink: string;
      };
      return {
        caseId: body.caseId,
        reference: body.reference,
        token: new URL(body.caseLink).searchParams.get('token') ?? '',
      };
    },
    sign: (caseId, expiresAt) => signCaseLink(system.deps.secrets.linkSigningKey, caseId, expiresAt),
    async csrfFor(user) {
      const known = csrf.get(user);
      if (known) return known;
      const page = await send({ method: 'GET', target: '/staff/log-complaint', user });
      const token = /name="csrf" value="([^"]*)"/.exec(String(page.body))?.[1] ?? '';
      if (!token) throw new Error(`No CSRF token on ${user}'s page: ${String(page.body).slice(0, 300)}`);
      csrf.set(user, token);
      return token;
    },
    stop: () => system.stop(),
  };
}

/**
 * The cases a sweep's requests act on. A case that closes (withdrawn, or taken through to the end) is
 * replaced, a few times per sweep (a new case costs hundreds of ms here), so later runs still reach past
 * the checks a closed case stops at.
 */
export class CasePool {
  readonly cases: RealCase[] = [];
  /** A slot in the pool, for an arbitrary to pick. */
  readonly slot: fc.Arbitrary<number>;
  private replacements = 0;
  /** Each case's open task, as last read (a query per request would cost more than the request). */
  private readonly tasks = new Map<string, CurrentTask>();
  /** Cases seen closed and kept (no replacements left): closed is final, so their tasks never change. */
  private readonly closed = new Set<string>();

  constructor(
    private readonly sweep: () => SweepSystem,
    readonly size: number,
    private readonly maxReplacements: number,
  ) {
    this.slot = fc.nat({ max: size - 1 });
  }

  private newCase(index: number): Promise<RealCase> {
    return this.sweep().newCase(`Ada Resident${index}`);
  }

  async fill(): Promise<void> {
    for (let index = 0; index < this.size; index++) this.cases.push(await this.newCase(index));
    await this.sweep().system.settle();
  }

  at(slot: number): RealCase {
    return this.cases[slot % this.size] as RealCase;
  }

  /** Another case than the one at `slot`, picked by `other`. */
  otherThan(slot: number, other: number): RealCase {
    return this.at(slot + 1 + (other % (this.size - 1)));
  }

  /**
   * The case's open task now, or its latest one. Read again only when the last one read was not open (on a
   * case not known to be closed) or an action may have moved the case on (the workflow registers the next
   * task a moment later).
   */
  async currentTask(real: RealCase): Promise<CurrentTask> {
    const known = this.tasks.get(real.caseId);
    if (known && (known.open || this.closed.has(real.caseId))) return known;
    const tasks = await this.sweep().system.deps.repository.tasksForCase(real.caseId);
    const open = tasks.find((task) => task.status === 'open');
    const latest = open ?? tasks.at(-1);
    const task = { taskId: latest?.taskId ?? 'no-task-yet', open: Boolean(open), step: latest?.step };
    this.tasks.set(real.caseId, task);
    return task;
  }

  /** The cached task was finished by another request: read it again next time. */
  forgetTask(real: RealCase): void {
    this.tasks.delete(real.caseId);
  }

  /**
   * After an accepted action on the case at `slot`: the workflow runs to its next wait (letters sent, the
   * next task registered, so later runs act on that task rather than on the one just done), and the case is
   * replaced if it closed, while replacements last.
   */
  async replaceIfClosed(slot: number): Promise<void> {
    const index = slot % this.size;
    const real = this.at(index);
    this.forgetTask(real);
    await this.sweep().system.settle();
    const { state } = await loadCase(this.sweep().system.deps, real.caseId);
    if (state.status !== 'closed') return;
    if (this.replacements < this.maxReplacements) {
      this.replacements++;
      this.cases[index] = await this.newCase(index);
      await this.sweep().system.settle();
    } else this.closed.add(real.caseId);
  }

  /**
   * A new budget of replacements, with every closed case replaced now (before a sweep that needs open ones);
   * or, `fresh`, every case replaced by a new one at its first step (for a sweep whose valid inputs mostly
   * fit the first steps, after sweeps that moved the cases on).
   */
  async refresh(fresh = false): Promise<void> {
    this.replacements = 0;
    if (fresh) {
      for (let index = 0; index < this.size; index++) {
        this.forgetTask(this.at(index));
        this.cases[index] = await this.newCase(index);
      }
      await this.sweep().system.settle();
      return;
    }
    for (let index = 0; index < this.size; index++) await this.replaceIfClosed(index);
  }
}

/**
 * One sweep file's system, tally and pool: started before its tests, reported and stopped after. `send`
 * checks every answer (expectSafe) and counts it; `property` runs one fixed-seed property.
 */
export function useSweep(
  file: string,
  pool: { size: number; maxReplacements: number } = { size: 0, maxReplacements: 0 },
) {
  let system: SweepSystem | undefined;
  const sweep = () => {
    if (!system) throw new Error('useSweep: the system exists only inside the tests');
    return system;
  };
  const tally = new Tally(file);
  const cases = new CasePool(sweep, Math.max(pool.size, 1), pool.maxReplacements);
  beforeAll(async () => {
    system = await startSweepSystem();
    if (pool.size > 0) await cases.fill();
  }, 60_000);
  afterAll(async () => {
    console.info(tally.report());
    configureSignIn(false);
    await system?.stop();
  });
  return {
    sweep,
    tally,
    pool: cases,
    async send(request: Sent, expectation?: Parameters<typeof expectSafe>[2]) {
      const result = await sweep().send(request);
      tally.answered(result.statusCode ?? 200);
      expectSafe(request, result, expectation);
      return result;
    },
    property<T>(
      schema: string,
      seed: number,
      numRuns: number,
      arbitrary: fc.Arbitrary<T>,
      run: (input: T) => Promise<void>,
    ) {
      return sweepProperty(tally, sweep(), { schema, seed, numRuns }, arbitrary, run);
    },
  };
}

/**
 * The sign-in pages as they run in AWS (Cognito configured; the token endpoint and the key set refuse
 * everything, so no request leaves the machine), or as the local runtime runs them (demo users).
 */
export function configureSignIn(aws: boolean): void {
  if (aws) {
    delete process.env.COMPLAINTS_LOCAL_MODE;
    Object.assign(process.env, {
      COGNITO_DOMAIN: 'https://auth.example.org',
      COGNITO_CLIENT_ID: 'client-123',
      // Without the pool's issuer sign-in is not offered at all (fails closed, 503).
      COGNITO_ISSUER: 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Example',
      STAFF_BASE_URL: 'https://complaints.example.org/staff',
    });
    vi.stubGlobal('fetch', async () => new Response('{"error":"invalid_grant"}', { status: 400 }));
  } else {
    process.env.COMPLAINTS_LOCAL_MODE = '1';
    for (const name of ['COGNITO_DOMAIN', 'COGNITO_CLIENT_ID', 'COGNITO_ISSUER', 'STAFF_BASE_URL'])
      delete process.env[name];
    vi.unstubAllGlobals();
  }
}

/** Runs one property against the live system (fixed seed), counted under `schema`; then lets the workflow settle. */
export async function sweepProperty<T>(
  tally: Tally,
  sweep: SweepSystem,
  options: { schema: string; seed: number; numRuns: number },
  arbitrary: fc.Arbitrary<T>,
  run: (input: T) => Promise<void>,
): Promise<void> {
  await tally.measure(options.schema, async (count) => {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (input) => {
        count();
        await run(input);
      }),
      { seed: options.seed, numRuns: options.numRuns },
    );
    await sweep.system.settle();
  });
  tally.expectSomeAccepted(options.schema);
}

/**
 * A 4xx must say what is wrong: JSON with a message, or a page whose GOV.UK error summary lists the
 * problem (linked to the field it is about), or an error page whose message says it. A heading alone,
 * or a field's inline error without the summary, does not count.
 */
export function saysWhatIsWrong(result: APIGatewayProxyStructuredResultV2): boolean {
  const text = String(result.body ?? '');
  const type = String(result.headers?.['content-type'] ?? '');
  if (type.startsWith('application/json')) {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    return typeof message === 'string' && message.length > 10;
  }
  if (type.startsWith('text/html')) {
    const summary =
      /<div class="govuk-error-summary"[\s\S]*?<ul class="govuk-list govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(
        text,
      )?.[1] ?? '';
    if (/<li><a href="#[^"]+">[^<]{10,}<\/a><\/li>/.test(summary)) return true;
    return /data-testid="error-message">(?:\s*<[^>]+>)*\s*[^<\s][^<]{9,}/.test(text);
  }
  return text.trim().length > 3;
}

/**
 * The rule for every answer: never a 5xx; a 4xx says what is wrong. `refused`: the input breaks the
 * route's schema, so it must not succeed. `created`: a valid complaint under a new key, so it must.
 */
export function expectSafe(
  request: Sent,
  result: APIGatewayProxyStructuredResultV2,
  expectation: { refused?: boolean; created?: boolean } = {},
): void {
  const status = result.statusCode ?? 200;
  const what = `${request.method} ${request.target.slice(0, 200)} (body ${String(request.body ?? '').slice(0, 300)})`;
  if (status >= 500) throw new Error(`${what} answered ${status}: ${String(result.body).slice(0, 400)}`);
  if (status >= 400 && !saysWhatIsWrong(result)) {
    const shown = /<main[\s\S]*<\/main>/.exec(String(result.body))?.[0] ?? String(result.body);
    throw new Error(`${what} answered ${status} without saying what is wrong: ${shown.slice(0, 1500)}`);
  }
  if (expectation.refused && status < 400) {
    throw new Error(`${what} breaks the schema but answered ${status}: ${String(result.body).slice(0, 300)}`);
  }
  if (expectation.created && status !== 201) {
    throw new Error(
      `${what} is a valid complaint under a new key but answered ${status}: ${String(result.body).slice(0, 300)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Hostile values

export const PERCENT_GARBAGE = [
  '%',
  '%z',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%00',
  '%%',
  '%5C',
  '%2F..%2F',
  '%FF%FE',
];

const CONTROL = fc.integer({ min: 0, max: 31 }).map((code) => String.fromCharCode(code));

/** Text no one should store or show as markup: scripts, attribute breakouts, template and SQL probes. */
export const MARKUP = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '</textarea><script>alert(1)</script>',
  '<svg/onload=alert(1)>',
  'javascript:alert(1)',
  "'; DROP TABLE cases; --",
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as plain text
  '${7*7}',
  '\u202Egnp.exe',
  '\r\nSet-Cookie: x=1',
  '\u0000',
  '\uFEFF\u200B',
];

/** Names that reach a prototype when code treats parsed input as a plain object. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
];

/** A hostile string of at most `max` characters (unless `huge`): unicode, control characters, markup, `%`. */
export function hostileString(max = 200, options: { huge?: boolean } = {}): fc.Arbitrary<string> {
  const limit = Math.max(1, Math.min(max, 80));
  const arbitraries: fc.Arbitrary<string>[] = [
    fc.string({ unit: 'grapheme', maxLength: limit }),
    fc.string({ unit: 'binary', maxLength: limit }),
    fc.string({ unit: CONTROL, minLength: 1, maxLength: Math.min(limit, 10) }),
    fc.constantFrom(...MARKUP).map((text) => text.slice(0, max)),
    fc.constantFrom(...PERCENT_GARBAGE),
    fc.constantFrom(...PROTOTYPE_KEYS),
    fc
      .tuple(
        fc.string({ maxLength: 10 }),
        fc.constantFrom(...MARKUP),
        fc.string({ unit: 'binary', maxLength: 10 }),
      )
      .map(([a, b, c]) => `${a}${b}${c}`.slice(0, max)),
  ];
  if (options.huge) arbitraries.push(fc.integer({ min: 1, max: 3 }).map((n) => 'x'.repeat(n * 100_000)));
  return fc.oneof(...arbitraries);
}

/** A value of the wrong JSON type for any field. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, 0, -1, 1.5, true, false, [], {}, '', 'null', 'undefined', 1e308),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A JSON body a parser must survive: not JSON, not an object, deeply nested, or huge. */
export const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', 'null', '[]', '42', '"x"', 'true', '{', '{"a":', '\u0000', '{"action":}', '\uFEFF{}'),
  fc.constantFrom(100, 5000).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.constantFrom(100, 5000).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constant(`{"text":"${'x'.repeat(300_000)}"}`),
);

/** Sets a key even when it is `__proto__`, so JSON.stringify writes it as an own key. */
function withKey(value: Record<string, unknown>, key: string, extra: unknown): Record<string, unknown> {
  const copy = { ...value };
  Object.defineProperty(copy, key, { value: extra, enumerable: true, writable: true, configurable: true });
  return copy;
}

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(...MARKUP),
);

// ---------------------------------------------------------------------------------------------------------
// Arbitraries derived from a zod schema

interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
}

/** Per field name, values for what a schema's refinements check and JSON Schema cannot say (dates). */
export type Overrides = Record<string, { valid: fc.Arbitrary<unknown>; nearValid: fc.Arbitrary<unknown> }>;

export interface Derived {
  /** Values the schema accepts: plain words, boundary lengths, and unicode or markup within the limits. */
  valid: fc.Arbitrary<unknown>;
  /** One thing wrong, anywhere: a wrong type, too long, empty, missing, an extra (or prototype) key. */
  nearValid: fc.Arbitrary<unknown>;
}

const WORDS = ['boiler', 'damp', 'mould', 'repair', 'Siân', "O'Neill", 'flat 3', '£50', 'rent', 'window'];
const words = (max: number) =>
  fc
    .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 })
    .map((list) => list.join(' ').slice(0, max));

export const civilDate = {
  valid: fc
    .date({
      min: new Date('2020-01-01T00:00:00Z'),
      max: new Date('2026-03-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((date) => date.toISOString().slice(0, 10)),
  nearValid: fc.oneof(
    fc.constantFrom(
      '2026-02-30',
      '2026-13-01',
      '26-03-01',
      '2026-3-1',
      '2026-03-01T00:00:00Z',
      '',
      'yesterday',
    ),
    wrongType,
    hostileString(40),
  ),
};

function stringArbitraries(schema: JsonSchema): Derived {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 5000;
  let valid: fc.Arbitrary<unknown>;
  if (schema.pattern) {
    valid = fc.stringMatching(new RegExp(schema.pattern)).filter((text) => text.length <= max);
  } else {
    // Padded with a letter so that `.trim().min(1)` holds for unicode and control characters too.
    const pad = (text: string) => (min > 0 ? `a${text}`.slice(0, max) : text.slice(0, max));
    valid = fc.oneof(
      { weight: 4, arbitrary: words(max) },
      { weight: 3, arbitrary: hostileString(max - 1).map(pad) },
      { weight: 1, arbitrary: fc.constant('a'.repeat(Math.min(max, 20_000))) },
    );
  }
  const tooLong = schema.maxLength === undefined ? [] : [fc.constant('b'.repeat(schema.maxLength + 1))];
  const empty = min > 0 ? [fc.constantFrom('', '   ', '\n\t')] : [];
  const offPattern = schema.pattern ? [hostileString(40), words(40)] : [];
  return {
    valid,
    nearValid: fc.oneof(...tooLong, ...empty, ...offPattern, wrongType),
  };
}

function derive(schema: JsonSchema, overrides: Overrides, name?: string): Derived {
  const override = name === undefined ? undefined : overrides[name];
  if (override) return override;
  if (schema.const !== undefined) {
    const value = schema.const;
    return {
      valid: fc.constant(value),
      nearValid: fc.oneof(
        fc.constant(typeof value === 'string' ? value.toUpperCase() : String(value)),
        fc.constant(typeof value === 'string' ? ` ${value}` : null),
        hostileString(30),
        wrongType,
      ),
    };
  }
  if (schema.enum) {
    const values = schema.enum;
    return {
      valid: fc.constantFrom(...values),
      nearValid: fc.oneof(
        fc.constantFrom(...values).map((value) => `${String(value)}x`),
        hostileString(30),
        wrongType,
      ),
    };
  }
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches) {
    const derived = branches.map((branch) => derive(branch, overrides, name));
    return {
      valid: fc.oneof(...derived.map((d) => d.valid)),
      nearValid: fc.oneof(...derived.map((d) => d.nearValid)),
    };
  }
  switch (schema.type) {
    case 'object':
      return objectArbitraries(schema, overrides);
    case 'array': {
      const items = derive(schema.items ?? {}, overrides, name);
      const minItems = schema.minItems ?? 0;
      const maxItems = schema.maxItems ?? 10;
      const list = (arbitrary: fc.Arbitrary<unknown>) =>
        fc.array(arbitrary, { minLength: minItems, maxLength: Math.min(maxItems, Math.max(minItems, 3)) });
      return {
        valid: list(items.valid),
        nearValid: fc.oneof(
          ...(minItems > 0 ? [fc.constant([])] : []),
          items.valid.map((item) => Array.from({ length: maxItems + 1 }, () => item)),
          fc.tuple(list(items.valid), items.nearValid).map(([rest, bad]) => [...rest, bad]),
          wrongType,
        ),
      };
    }
    case 'string':
      return stringArbitraries(schema);
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? -1e6;
      const max = schema.maximum ?? 1e6;
      const integer = schema.type === 'integer';
      return {
        valid: integer ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true }),
        nearValid: fc.oneof(
          fc.constantFrom(min - 1, max + 1, 1e308, -1e308),
          ...(integer ? [fc.constant(min + 0.5)] : []),
          fc.constant(String(min)),
          wrongType,
        ),
      };
    }
    case 'boolean':
      return { valid: fc.boolean(), nearValid: fc.constantFrom('true', 1, 0, null, 'yes') };
    default:
      return { valid: fc.jsonValue({ maxDepth: 2 }), nearValid: wrongType };
  }
}

function objectArbitraries(schema: JsonSchema, overrides: Overrides): Derived {
  const properties = schema.properties ?? {};
  const required = schema.required ?? [];
  const names = Object.keys(properties);
  const fields = Object.fromEntries(
    names.map((key) => [key, derive(properties[key] ?? {}, overrides, key)]),
  ) as Record<string, Derived>;
  const valid = fc.record(Object.fromEntries(names.map((key) => [key, (fields[key] as Derived).valid])), {
    requiredKeys: required,
  }) as fc.Arbitrary<Record<string, unknown>>;
  const mutations: fc.Arbitrary<unknown>[] = [
    fc
      .tuple(valid, hostileKey, fc.jsonValue({ maxDepth: 2 }))
      .map(([value, key, extra]) => withKey(value, key, extra)),
    wrongType,
  ];
  if (required.length > 0) {
    mutations.push(
      fc.tuple(valid, fc.constantFrom(...required)).map(([value, key]) => {
        const { [key]: _dropped, ...rest } = value;
        return rest;
      }),
    );
  }
  if (names.length > 0) {
    mutations.push(
      fc
        .constantFrom(...names)
        .chain((key) =>
          fc.tuple(valid, (fields[key] as Derived).nearValid).map(([value, bad]) => withKey(value, key, bad)),
        ),
    );
  }
  return { valid, nearValid: fc.oneof(...mutations) };
}

/** Arbitraries for a zod schema, derived from its JSON Schema (the input side: before defaults and transforms). */
export function fromZod(schema: z.ZodMiniType, overrides: Overrides = {}): Derived {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return derive(json, overrides);
}

/** The JSON Schema node at a dotted path (through properties), for a form field fed from one schema field. */
export function fieldOf(schema: z.ZodMiniType, path: string, overrides: Overrides = {}): Derived {
  let node = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const parts = path.split('.');
  for (const part of parts) {
    const branches = node.oneOf ?? node.anyOf;
    const holder = branches
      ? (branches.flatMap((branch) => branch.oneOf ?? [branch]).find((branch) => branch.properties?.[part]) ??
        {})
      : node;
    node = holder.properties?.[part] ?? {};
  }
  return derive(node, overrides, parts.at(-1));
}

/** A body for a schema: mostly valid or one thing wrong, sometimes not a JSON object at all. */
export function jsonBodyOf(derived: Derived): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: derived.valid.map((value) => JSON.stringify(value)) },
    { weight: 5, arbitrary: derived.nearValid.map((value) => JSON.stringify(value) ?? '') },
    { weight: 1, arbitrary: hostileJsonText },
  );
}

// ---------------------------------------------------------------------------------------------------------
// Form bodies

/** One form field: what a browser would send, and values with one thing wrong. */
export interface FieldSpec {
  valid: fc.Arbitrary<string>;
  nearValid: fc.Arbitrary<string>;
  required?: boolean;
}

/** A text form field from a schema's string field (near-valid strings only: a form sends nothing else). */
export function textField(derived: Derived, required = false): FieldSpec {
  const strings = (arbitrary: fc.Arbitrary<unknown>) =>
    arbitrary.map((value) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? '')));
  return {
    valid: strings(derived.valid),
    nearValid: fc.oneof(strings(derived.nearValid), hostileString(80)),
    required,
  };
}

export const choice = (values: readonly string[], required = true): FieldSpec => ({
  valid: fc.constantFrom(...values),
  nearValid: fc.oneof(
    fc.constantFrom(...values).map((value) => `${value} `),
    hostileString(30),
  ),
  required,
});

/** A date as the GOV.UK date input sends it: three fields, `name-day`, `name-month`, `name-year`. */
export function dateFields(name: string, required = false): Record<string, FieldSpec> {
  const part = (min: number, max: number) => ({
    valid: fc.integer({ min, max }).map(String),
    nearValid: fc.oneof(fc.constantFrom('0', '32', '-1', '1.5', 'x', '٣'), hostileString(12)),
    required,
  });
  return {
    [`${name}-day`]: part(1, 28),
    [`${name}-month`]: part(1, 12),
    [`${name}-year`]: { ...part(2020, 2025), nearValid: fc.constantFrom('99', '20266', '0000', 'year') },
  };
}

export type Pairs = [string, string][];

/** A form's fields: all valid, or one missing, wrong, repeated or extra (a prototype key among them). */
export function formOf(fields: Record<string, FieldSpec>): fc.Arbitrary<Pairs> {
  const names = Object.keys(fields);
  const valid = fc
    .record(Object.fromEntries(names.map((name) => [name, (fields[name] as FieldSpec).valid])), {
      requiredKeys: names.filter((name) => fields[name]?.required),
    })
    .map((values) => Object.entries(values) as Pairs);
  const requiredNames = names.filter((name) => fields[name]?.required);
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    {
      weight: 4,
      arbitrary: fc
        .constantFrom(...names)
        .chain((name) =>
          fc
            .tuple(valid, (fields[name] as FieldSpec).nearValid)
            .map(([pairs, bad]) => [...pairs.filter(([key]) => key !== name), [name, bad]] as Pairs),
        ),
    },
    ...(requiredNames.length > 0
      ? [
          fc
            .tuple(valid, fc.constantFrom(...requiredNames))
            .map(([pairs, name]) => pairs.filter(([key]) => key !== name)),
        ]
      : []),
    fc
      .tuple(valid, hostileKey, hostileString(40))
      .map(([pairs, key, value]) => [...pairs, [key, value]] as Pairs),
    fc
      .tuple(valid, fc.constantFrom(...names), hostileString(40))
      .map(([pairs, name, value]) => [...pairs, [name, value]] as Pairs),
  );
}

/** Pairs as an urlencoded body; sometimes with raw bad percent-encoding appended, as no browser sends. */
export const urlencoded = (pairs: Pairs, garbage?: string): string =>
  `${new URLSearchParams(pairs).toString()}${garbage ? `&${garbage}=${garbage}` : ''}`;

export const FORM = 'application/x-www-form-urlencoded';

/** Percent-encodes any string, lone surrogates included (as U+FFFD, as a browser would send them). */
export const encode = (text: string): string => encodeURIComponent(Buffer.from(text).toString());

/** A link token with one thing wrong: each must be refused (403), never accepted and never a 500. */
export function alteredToken(token: string): fc.Arbitrary<string> {
  const [payload = '', signature = ''] = token.split('.');
  const flipLast = (text: string) => `${text.slice(0, -1)}${text.endsWith('A') ? 'B' : 'A'}`;
  return fc.oneof(
    fc.constantFrom(
      `${token}.x`,
      `${token}.`,
      `${payload}.${signature}${signature.at(-1)}`,
      `${payload}.${flipLast(signature)}`,
      `${flipLast(payload)}.${signature}`,
      token.slice(0, -1),
      token.slice(1),
      `${payload}${signature}`,
      token.toUpperCase(),
      `${payload}=.${signature}`,
      ` ${token}`,
    ),
    fc
      .tuple(fc.nat({ max: token.length }), fc.constantFrom('a', '-', '_', '.', '%', '=', '+', '/'))
      .map(([at, char]) => `${token.slice(0, at)}${char}${token.slice(at)}`),
  );
}

/** A path segment no id could be: malformed `%`, dot segments, prototype names, too long, hostile text. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PERCENT_GARBAGE),
  fc.constantFrom(
    '..',
    '.',
    '-',
    '__proto__',
    'constructor',
    'no-such-id',
    'a'.repeat(101),
    'a'.repeat(3000),
  ),
  hostileString(60).map(encode),
);
