// First: it sets the environment the handler modules read as they load.
import './outside-lambda.ts';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError } from '#shared/domain/errors.ts';
import { londonWallClockToInstant, toLondon } from '#shared/time/london.ts';
import { MAX_UPLOAD_BODY_BYTES, staffIdentity } from '../../functions/lib/middleware.ts';
import { ALL_ROUTES } from '../../functions/routes.ts';
import { page } from '../../functions/web/http.ts';
import { mediaType } from '../../functions/web/multipart.ts';
import { checkCsrf } from '../../functions/web/staff-auth.ts';
import { localClockErrorPage } from '../../functions/web/ui/layout.ts';
import { liveRuntimeOn, RUNNING_FILE } from './data-dir.ts';
import { claimsFor, DEMO_USERS, type DemoUser, findDemoUser } from './demo-users.ts';
import {
  BodyTooLargeError,
  bindRoutes,
  closeAfterAnswer,
  dispatch,
  readBody,
  readBytes,
  tooLargeResult,
  writeResult,
} from './http-adapter.ts';
import { type SmtpListener, startSmtpListener } from './smtp.ts';
import { type LocalSystem, startLocalSystem } from './system.ts';

export interface RuntimeOptions {
  provider: string;
  dataDir?: string;
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  sesPort?: number;
  /** The inbound email (SMTP) listener's port; 2525 by default, 0 picks a free port (tests). */
  smtpPort?: number;
  /** Overrides the persisted virtual time (tests). */
  start?: Date;
  log?: (line: string) => void;
}

export interface Runtime {
  url: string;
  /** The web and API server (a test can watch the requests it takes). */
  server: Server;
  sesUrl: string;
  smtp: SmtpListener;
  system: LocalSystem;
  dataDir: string;
  resumed: number;
  advance(request: AdvanceRequest): Promise<Date>;
  stop(): Promise<void>;
}

export interface AdvanceRequest {
  workingDays?: number;
  days?: number;
  hours?: number;
  to?: string;
}

function isStaffRoute(access: string): boolean {
  return access === 'staff' || access === 'staff-page';
}

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

/**
 * dynalite locks its LevelDB directory: a second runtime on the same data would crash on its first read
 * ("Database is closed") with a stack trace. A running.json left by a process that died does not count.
 */
function ensureDataDirFree(dataDir: string): void {
  const running = liveRuntimeOn(dataDir);
  if (running) {
    throw new DataDirInUseError(
      `A runtime is already using ${dataDir} (process ${running.pid}, ${running.url}): stop it (Ctrl-C in its terminal), or start this one on its own data with --data-dir <another directory> (or COMPLAINTS_DATA_DIR).`,
    );
  }
}

async function ensurePortFree(host: string, port: number, what: string, option: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolvePort, reject) => {
    const probe = createNetServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(
              `Port ${port} (${what}) is already in use: is another copy running? Stop it, or choose another port with ${option}.`,
            )
          : error,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolvePort()));
  });
}

interface PersistedState {
  /** Virtual time minus real time, in ms: the clock keeps its advances across restarts. */
  clockOffsetMs: number;
  masterKeys: { contactHashKey: string; linkSigningKey: string; csrfKey: string };
}

function loadState(dataDir: string): PersistedState {
  const file = join(dataDir, 'runtime.json');
  const randomKey = () => randomBytes(32).toString('base64url');
  if (existsSync(file)) {
    const loaded = JSON.parse(readFileSync(file, 'utf8')) as PersistedState;
    if (loaded.masterKeys.csrfKey) return loaded;
    // Data from before staff forms had their own key: add one, keeping the others (links already sent).
    const upgraded = { ...loaded, masterKeys: { ...loaded.masterKeys, csrfKey: randomKey() } };
    writeFileSync(file, JSON.stringify(upgraded, null, 2));
    return upgraded;
  }
  const fresh: PersistedState = {
    clockOffsetMs: 0,
    masterKeys: { contactHashKey: randomKey(), linkSigningKey: randomKey(), csrfKey: randomKey() },
  };
  writeFileSync(file, JSON.stringify(fresh, null, 2));
  return fresh;
}

function saveState(dataDir: string, state: PersistedState): void {
  writeFileSync(join(dataDir, 'runtime.json'), JSON.stringify(state, null, 2));
}

/** Where the clock form may send the browser back to: a path on this server, never another site. */
export function localPath(back: string | null, origin: string): string {
  if (!back?.startsWith('/')) return '/staff';
  try {
    // The URL parser reads "/\\host" and "//host" as another host, as browsers do.
    const target = new URL(back, origin);
    const path = `${target.pathname}${target.search}`;
    return target.origin === origin && !path.startsWith('//') ? path : '/staff';
  } catch {
    return '/staff';
  }
}

/**
 * Locally a staff API call names its demo user in a header (AWS wants a Cognito ID token): a refusal for want
 * of a user says which header and who may be named, where the handler can only say "sign in".
 */
function explainLocalSignIn(
  result: APIGatewayProxyStructuredResultV2,
  named: string | undefined,
): APIGatewayProxyStructuredResultV2 {
  if (result.statusCode !== 403 || typeof result.body !== 'string') return result;
  let body: { error?: string; message?: string };
  try {
    body = JSON.parse(result.body) as typeof body;
  } catch {
    return result;
  }
  if (body.error !== 'FORBIDDEN') return result;
  const users = DEMO_USERS.map((user) => `${user.id} (${user.role})`).join(', ');
  const message =
    named === undefined
      ? `Sign in as a member of staff: on the local runtime, send the header x-local-user with a demo user's id, one of ${users}`
      : `x-local-user "${named}" is not a demo user: send one of ${users}`;
  return { ...result, body: JSON.stringify({ ...body, message }) };
}

function demoUserOf(request: IncomingMessage) {
  const cookieUser = /(?:^|;\s*)local_user=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
  return findDemoUser((request.headers['x-local-user'] as string | undefined) ?? cookieUser);
}

/** Written while a runtime runs on a data directory, so the CLI finds it whatever port it was given. */
export interface RunningRuntime {
  url: string;
  sesUrl: string;
  smtpUrl?: string;
  pid: number;
}

export function readRunningRuntime(dataDir: string): RunningRuntime | undefined {
  const file = join(resolve(dataDir), RUNNING_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as RunningRuntime;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 3000;
  const sesPort = options.sesPort ?? 8005;
  const smtpPort = options.smtpPort ?? 2525;
  const dataDir = resolve(options.dataDir ?? '.data');
  const log = options.log ?? (() => undefined);
  await ensurePortFree(host, port, 'web and API', '--port or COMPLAINTS_PORT');
  await ensurePortFree(host, sesPort, 'SES outbox', '--ses-port or COMPLAINTS_SES_PORT');
  await ensurePortFree(host, smtpPort, 'inbound email (SMTP)', '--smtp-port or COMPLAINTS_SMTP_PORT');
  ensureDataDirFree(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const persisted = loadState(dataDir);
  const realNow = Date.now();
  const start = options.start ?? new Date(realNow + persisted.clockOffsetMs);

  const server: Server = createServer();
  await new Promise<void>((ready) => server.listen(port, host, ready));
  const address = server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;

  const system = await startLocalSystem({
    profile: options.provider,
    dataDir,
    start,
    sesPort,
    urls: { resident: url, staff: `${url}/staff` },
    secrets: persisted.masterKeys,
  });
  // Pages read these to show the local-mode banner and offer the demo users at sign-in.
  process.env.COMPLAINTS_LOCAL_MODE = '1';
  process.env.COMPLAINTS_LOCAL_USERS = JSON.stringify(DEMO_USERS);
  const routes = await bindRoutes(ALL_ROUTES);
  const rememberClock = () => {
    persisted.clockOffsetMs = system.clock.now().getTime() - performance.timeOrigin - performance.now();
    saveState(dataDir, persisted);
  };
  if (options.start) rememberClock();

  async function advance(request: AdvanceRequest): Promise<Date> {
    const now = system.clock.now();
    let target: Date;
    if (request.to) {
      target = new Date(
        /^\d{4}-\d{2}-\d{2}$/.test(request.to) ? londonWallClockToInstant(request.to, 9, 0) : request.to,
      );
    } else if (request.workingDays) {
      const { date, minuteOfDay } = toLondon(now);
      const day = system.deps.context.clocks.calendar.addWorkingDays(date, request.workingDays).date;
      target = new Date(londonWallClockToInstant(day, Math.floor(minuteOfDay / 60), minuteOfDay % 60));
    } else {
      target = new Date(now.getTime() + ((request.days ?? 0) * 24 + (request.hours ?? 0)) * 3_600_000);
    }
    if (Number.isNaN(target.getTime())) throw new RangeError(`"${request.to}" is not a date or instant`);
    if (target.getTime() < now.getTime()) {
      const london = toLondon(now);
      const time = `${String(Math.floor(london.minuteOfDay / 60)).padStart(2, '0')}:${String(london.minuteOfDay % 60).padStart(2, '0')}`;
      throw new RangeError(
        `The clock only moves forward: the virtual clock is at ${now.toISOString()} (${london.date} ${time} in London); give a later date or instant`,
      );
    }
    await system.clock.advanceTo(target);
    rememberClock();
    return system.clock.now();
  }

  /** The clock form carries the signed-in demo user's CSRF token, as every staff form does. */
  function checkClockFormCsrf(request: IncomingMessage, given: string): DemoUser {
    const user = demoUserOf(request);
    if (!user) throw new DomainError('FORBIDDEN', 'Sign in as a demo user to move the clock from a page');
    const staff = staffIdentity({
      requestContext: { authorizer: { jwt: { claims: claimsFor(user) } } },
    } as never);
    // Bound to the same session cookie as the page that rendered the form.
    checkCsrf({ deps: system.deps, event: { headers: { cookie: request.headers.cookie } }, staff }, given);
    return user;
  }

  /**
   * The clock form: back to the page it was on once the clock moved; otherwise (nothing, "abc", 0, -2) the form
   * again with what to enter, as a page and not the JSON the CLI reads.
   */
  async function advanceFromForm(request: IncomingMessage, response: ServerResponse, form: URLSearchParams) {
    const csrf = form.get('csrf') ?? '';
    const user = checkClockFormCsrf(request, csrf);
    const back = localPath(form.get('back'), url);
    const entered = (form.get('workingDays') ?? '').trim();
    const showForm = (message: string) => {
      const now = system.clock.now();
      const answer = page(
        localClockErrorPage({
          profile: system.deps.context.profile,
          staff: { name: user.email, role: user.role, now, signOutPath: '/staff/sign-out', csrf },
          now,
          back,
          error: { value: entered, message },
        }),
        422,
      );
      response.writeHead(answer.statusCode ?? 422, answer.headers as Record<string, string>);
      response.end(answer.body);
    };
    if (!/^\d+$/.test(entered) || Number(entered) < 1) {
      return showForm(
        'Enter the number of working days to move the clock forward, as a whole number of 1 or more, such as 5',
      );
    }
    try {
      await advance({ workingDays: Number(entered) });
    } catch (error) {
      if (error instanceof RangeError) return showForm(error.message);
      throw error;
    }
    response.writeHead(303, { location: back });
    response.end();
  }

  async function handleLocal(request: IncomingMessage, response: ServerResponse, path: string) {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'GET' && path === '/local/clock') {
      return reply(200, { now: system.clock.now().toISOString(), london: toLondon(system.clock.now()) });
    }
    if (request.method === 'POST' && path === '/local/clock/advance') {
      // JSON from the CLI, or the clock form on staff pages (which comes back to the page it was on). Another
      // site must not be able to move the clock: no foreign Origin, JSON only with its content type (a
      // cross-site page cannot send that without a preflight), and the form only with its CSRF token.
      // The essence only: a parameter (`text/plain; x=application/json`) must not pass for the type.
      const contentType = mediaType(request.headers['content-type'] ?? '');
      const fromForm = contentType === 'application/x-www-form-urlencoded';
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== url) {
        return reply(403, { error: 'FORBIDDEN', message: `Only ${url} itself can move the clock` });
      }
      if (!fromForm && contentType !== 'application/json') {
        return reply(415, {
          error: 'UNSUPPORTED_MEDIA_TYPE',
          message: 'Send JSON with content-type: application/json (or use the clock form on a staff page)',
        });
      }
      try {
        const raw = (await readBody(request, 10_000)) ?? '';
        if (fromForm) return await advanceFromForm(request, response, new URLSearchParams(raw));
        const now = await advance(JSON.parse(raw || '{}') as AdvanceRequest);
        return reply(200, { now: now.toISOString(), london: toLondon(now) });
      } catch (error) {
        if (error instanceof BodyTooLargeError) throw error;
        if (error instanceof DomainError) return reply(403, { error: error.code, message: error.message });
        return reply(422, { error: 'INVALID_INPUT', message: (error as Error).message });
      }
    }
    if (request.method === 'GET' && path === '/local/users') return reply(200, { users: DEMO_USERS });
    // DescribeExecution and the execution history, as the Step Functions console would show them.
    if (request.method === 'GET' && path === '/local/executions') {
      return reply(200, {
        executions: system.sfn
          .listExecutions()
          .map(({ history: _history, input: _input, output: _output, ...execution }) => execution),
      });
    }
    const execution = /^\/local\/executions\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && execution) {
      const found = system.sfn.executionFor(decodeURIComponent(execution[1] ?? ''));
      return found
        ? reply(200, found)
        : reply(404, { error: 'NOT_FOUND', message: 'No execution with that name (the case id)' });
    }
    if (request.method === 'GET' && path === '/local/health') return reply(200, { ok: true });
    return reply(404, { error: 'NOT_FOUND', message: `No local admin route ${request.method} ${path}` });
  }

  // Requests still being handled: stop() lets them finish before closing the table under them.
  const inFlight = new Set<Promise<unknown>>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const handling = handle(request, response).finally(() => inFlight.delete(handling));
    inFlight.add(handling);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<unknown> {
    try {
      const requestUrl = new URL(request.url ?? '/', url);
      const path = requestUrl.pathname;
      // The local admin routes exist only here: AWS has no virtual clock.
      if (path.startsWith('/local/')) return await handleLocal(request, response, path);
      const user = demoUserOf(request);
      // Up to the HTTP API's own limit; each handler then applies its own (most pages far less).
      const body = await readBytes(request, MAX_UPLOAD_BODY_BYTES);
      const result = await dispatch(
        routes,
        {
          method: request.method ?? 'GET',
          target: request.url ?? '/',
          headers: request.headers,
          body,
          sourceIp: request.socket.remoteAddress,
        },
        {
          origin: url,
          now: system.clock.now(),
          // As the JWT authorizer does for the API (and the session cookie for pages): staff routes get the
          // signed-in user's claims, resident routes none.
          claims: (route) => (isStaffRoute(route.access) && user ? claimsFor(user) : undefined),
        },
      );
      writeResult(
        response,
        user ? result : explainLocalSignIn(result, request.headers['x-local-user'] as string | undefined),
      );
    } catch (error) {
      if (error instanceof BodyTooLargeError && !response.headersSent) {
        if (error.closeConnection) closeAfterAnswer(request, error.limit);
        return writeResult(response, tooLargeResult(error));
      }
      log(`request failed: ${(error as Error).message}`);
      if (!response.headersSent)
        response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      response.end(
        JSON.stringify({ error: 'INTERNAL', message: 'The local runtime failed to handle this request' }),
      );
    }
  }

  const resumed = await system.resumeOpenCases();
  const smtp = await startSmtpListener(system, { host, port: smtpPort, log });
  const running: RunningRuntime = { url, sesUrl: system.sesUrl, smtpUrl: smtp.url, pid: process.pid };
  writeFileSync(join(dataDir, RUNNING_FILE), JSON.stringify(running, null, 2));
  return {
    url,
    server,
    sesUrl: system.sesUrl,
    smtp,
    system,
    dataDir,
    resumed,
    advance,
    async stop() {
      rememberClock();
      if (readRunningRuntime(dataDir)?.pid === process.pid)
        rmSync(join(dataDir, RUNNING_FILE), { force: true });
      // No new connections; requests already taken are answered (a table closed under a request in flight
      // crashed the process: dynalite rethrows LEVEL_ITERATOR_NOT_OPEN), then idle keep-alive sockets close.
      const closed = new Promise<void>((done) => server.close(() => done()));
      await Promise.all(inFlight);
      server.closeAllConnections();
      await closed;
      await smtp.stop();
      await system.stop();
    },
  };
}
