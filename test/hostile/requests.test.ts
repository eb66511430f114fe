import { mkdtempSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../infra/local/runtime.ts';

/**
 * Hostile requests that used to answer 500 (or reset the connection), sent over HTTP to the local runtime:
 * each must get a 4xx with a message that says what is wrong.
 */

let runtime: Runtime;
// A whole runtime starting beside another hostile file (the suite runs two at a time) can take over 10 s.
beforeAll(async () => {
  runtime = await startRuntime({
    provider: 'code-baseline',
    dataDir: mkdtempSync(join(tmpdir(), 'hostile-')),
    port: 0,
    sesPort: 0,
    smtpPort: 0,
    start: new Date('2026-03-02T10:00:00Z'),
  });
}, 60_000);
afterAll(async () => {
  await runtime?.stop();
});

interface Answer {
  status: number;
  body: string;
  socket: unknown;
}

/** One request on a kept-alive connection; resolves with the socket it used, so reuse can be checked. */
function send(
  agent: Agent,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${runtime.url}${path}`, { method, agent, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), socket: req.socket }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const message = (answer: Answer) => (JSON.parse(answer.body) as { message?: string }).message ?? '';

describe('hostile requests get a 4xx with a message, never a 5xx', () => {
  it('a JSON null (or array, or number) body on the resident action route', async () => {
    const agent = new Agent({ keepAlive: true });
    for (const body of ['null', '[]', '42', '"escalate"']) {
      const answer = await send(agent, 'POST', '/cases/some-case/actions', {
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(answer.status, body).toBe(422);
      expect(message(answer), body).toMatch(/must be a JSON object/);
    }
    agent.destroy();
  });

  it('bad percent-encoding in a path', async () => {
    const agent = new Agent({ keepAlive: true });
    for (const path of ['/cases/%E0%A4%A/actions', '/cases/%zz', '/staff/case/%/task']) {
      const answer = await send(
        agent,
        path.endsWith('actions') || path.endsWith('task') ? 'POST' : 'GET',
        path,
      );
      expect(answer.status, path).toBe(400);
      expect(message(answer), path).toMatch(/"%" must be followed by two hexadecimal digits/);
    }
    agent.destroy();
  });

  it('a body over 10 MB answers 413 and the kept-alive connection carries the next request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const big = await send(agent, 'POST', '/complain', {
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61),
    });
    expect(big.status).toBe(413);
    expect(message(big)).toMatch(/larger than 10 MB/);
    const next = await send(agent, 'GET', '/local/health');
    expect(next.status).toBe(200);
    expect(next.socket).toBe(big.socket);
    agent.destroy();
  });

  it('a 3,000-character task id (or case id) on the staff API', async () => {
    const agent = new Agent({ keepAlive: true });
    const long = 'a'.repeat(3000);
    const answers = [
      await send(agent, 'POST', `/staff/tasks/${long}/actions`, {
        headers: { 'content-type': 'application/json', 'x-local-user': 'hannah' },
        body: JSON.stringify({ action: 'triage', decision: 'complaint' }),
      }),
      await send(agent, 'GET', `/staff/cases/${long}`, { headers: { 'x-local-user': 'mo' } }),
      await send(agent, 'GET', `/cases/${long}?token=x.y`),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(message(answer)).toMatch(/1 to 100 letters, digits/);
    }
    agent.destroy();
  });

  it('a staff-logged complaint whose receivedAt is not an instant (found by the sweep)', async () => {
    const agent = new Agent({ keepAlive: true });
    for (const receivedAt of [
      '<script>alert(1)</script>',
      'yesterday',
      '2026-02-30T10:00:00Z',
      '2026-03-01',
    ]) {
      const answer = await send(agent, 'POST', '/staff/complaints', {
        headers: {
          'content-type': 'application/json',
          'x-local-user': 'hannah',
          'idempotency-key': `received-at-${receivedAt.length}`,
        },
        body: JSON.stringify({
          channel: 'phone',
          receivedAt,
          complainant: { name: 'Ada Resident', preferredContact: 'post', address: '1 High Street' },
          complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Repair it' },
        }),
      });
      expect(answer.status, receivedAt).toBe(422);
      expect(message(answer), receivedAt).toMatch(/receivedAt: .*for example 2026-03-02T09:30:00Z/);
    }
    agent.destroy();
  });

  it('a 3,000-character task id in the staff console task form', async () => {
    const agent = new Agent({ keepAlive: true });
    const cookie = 'local_user=hannah';
    const page = (await send(agent, 'GET', '/staff', { headers: { cookie } })).body;
    const csrf = /name="csrf" value="([^"]*)"/.exec(page)?.[1] ?? '';
    expect(csrf).not.toBe('');
    const answer = await send(agent, 'POST', '/staff/case/some-case/task', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: `csrf=${encodeURIComponent(csrf)}&action=triage&taskId=${'a'.repeat(3000)}`,
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body).toMatch(/task id .*1 to 100 letters, digits/);
    agent.destroy();
  });
});

describe('the local clock cannot be moved by another site', () => {
  // node:http rather than fetch: fetch's own timers are faked by the virtual clock in this process, and fire
  // when it moves a day.
  const agent = new Agent({ keepAlive: false });
  const FORM = 'application/x-www-form-urlencoded';

  /** The virtual clock runs in real time between advances: "unmoved" means less than a minute passed. */
  const clock = async () =>
    Date.parse((JSON.parse((await send(agent, 'GET', '/local/clock')).body) as { now: string }).now);

  /** The clock form's hidden fields, from a staff page as the demo user sees it. */
  async function clockForm(user: string) {
    const page = (await send(agent, 'GET', '/staff', { headers: { cookie: `local_user=${user}` } })).body;
    const form = /<form[^>]*data-testid="clock-form"[\s\S]*?<\/form>/.exec(page)?.[0] ?? '';
    return {
      csrf: /name="csrf" value="([^"]*)"/.exec(form)?.[1] ?? '',
      back: /name="back" value="([^"]*)"/.exec(form)?.[1],
    };
  }

  const post = (body: string, headers: Record<string, string>) =>
    sendWithHeaders('/local/clock/advance', body, headers);

  async function sendWithHeaders(path: string, body: string, headers: Record<string, string>) {
    return new Promise<{ status: number; body: string; location?: string }>((resolve, reject) => {
      const req = httpRequest(`${runtime.url}${path}`, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            location: res.headers.location,
          }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it("refuses a form without the CSRF token, with another user's, from another origin, and JSON sent as text", async () => {
    const before = await clock();
    const { csrf } = await clockForm('hannah');
    expect(csrf).not.toBe('');
    const token = encodeURIComponent(csrf);
    const refused = [
      await post('workingDays=1&back=/staff', { 'content-type': FORM, cookie: 'local_user=hannah' }),
      await post(`workingDays=1&csrf=${token}`, { 'content-type': FORM, cookie: 'local_user=harry' }),
      await post(`workingDays=1&csrf=${token}`, { 'content-type': FORM }),
      await post(`workingDays=1&csrf=${token}`, {
        'content-type': FORM,
        cookie: 'local_user=hannah',
        origin: 'https://evil.example',
      }),
      await post('{"workingDays":1}', { 'content-type': 'text/plain;charset=UTF-8' }),
      // A "simple" cross-site request may carry any parameters: only the type before ";" counts.
      await post('{"workingDays":1}', { 'content-type': 'text/plain; x=application/json' }),
      await post(`workingDays=1&csrf=${token}`, {
        'content-type': 'text/plain; x=application/x-www-form-urlencoded',
        cookie: 'local_user=hannah',
      }),
    ];
    expect(refused.map((response) => response.status)).toEqual([403, 403, 403, 403, 415, 415, 415]);
    for (const response of refused) {
      expect((JSON.parse(response.body) as { message: string }).message).not.toBe('');
    }
    expect((await clock()) - before).toBeLessThan(60_000);
  });

  it('with the token, moves the clock and sends the browser back only to a path on this server', async () => {
    const { csrf, back } = await clockForm('hannah');
    expect(back).toBe('/staff');
    const backTo = async (target: string) => {
      const response = await post(
        `workingDays=1&csrf=${encodeURIComponent(csrf)}&back=${encodeURIComponent(target)}`,
        { 'content-type': FORM, cookie: 'local_user=hannah' },
      );
      expect(response.status, target).toBe(303);
      return response.location ?? '';
    };
    const before = await clock();
    expect(await backTo('/staff/case/abc')).toBe('/staff/case/abc');
    expect((await clock()) - before).toBeGreaterThan(3_600_000);
    for (const hostile of [
      '/\\evil.example/x',
      '/%5Cevil.example/x',
      '//evil.example/x',
      '/.//evil.example',
      'https://evil.example/',
      '/\t/evil.example',
    ]) {
      const location = await backTo(decodeURIComponent(hostile));
      expect(new URL(location, runtime.url).origin, hostile).toBe(runtime.url);
      expect(location, hostile).not.toMatch(/^\/[\\/]/);
    }
    for (const type of ['application/json', ' Application/JSON ; charset=utf-8']) {
      const json = await post('{"workingDays":1}', { 'content-type': type });
      expect(json.status, type).toBe(200);
    }
  });
  it('a form entry that cannot move the clock shows the form again with what to enter, and the clock stays', async () => {
    const { csrf } = await clockForm('hannah');
    const before = await clock();
    for (const entered of ['abc', '0', '-2', '', '1.5']) {
      const shown = await post(
        `workingDays=${encodeURIComponent(entered)}&csrf=${encodeURIComponent(csrf)}&back=/staff/search`,
        { 'content-type': FORM, cookie: 'local_user=hannah' },
      );
      expect(shown.status, entered).toBe(422);
      expect(shown.body, entered).toMatch(/^<!DOCTYPE html>/);
      expect(shown.body).toContain('<title>Error: Move the clock');
      const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(shown.body)?.[0] ?? '';
      expect(summary).toContain(
        '<a href="#clock-working-days">Enter the number of working days to move the clock forward, as a whole number of 1 or more, such as 5</a>',
      );
      // The form keeps what was entered, marked in error, and still goes back to the page it came from.
      const form = /<form[^>]*data-testid="clock-form"[\s\S]*?<\/form>/.exec(shown.body)?.[0] ?? '';
      expect(form).toContain('govuk-form-group--error');
      expect(form).toContain(`value="${entered}"`);
      expect(form).toContain('name="back" value="/staff/search"');
      expect(shown.body).toContain(
        '<a class="govuk-link" href="/staff/search">go back to the page you were on</a>',
      );
      // The form shown again carries a token that moves the clock.
      expect(/name="csrf" value="([^"]*)"/.exec(form)?.[1]).toBe(csrf);
    }
    expect((await clock()) - before).toBeLessThan(60_000);
  });

  it('a date before the virtual clock is refused saying where the clock is', async () => {
    const now = new Date(await clock());
    const refused = await post('{"to":"2020-01-01"}', { 'content-type': 'application/json' });
    expect(refused.status).toBe(422);
    const said = (JSON.parse(refused.body) as { message: string }).message;
    expect(said).toMatch(
      /^The clock only moves forward: the virtual clock is at (\S+) \(\d{4}-\d{2}-\d{2} \d{2}:\d{2} in London\); give a later date or instant$/,
    );
    const at = Date.parse(/at (\S+) \(/.exec(said)?.[1] ?? '');
    expect(Math.abs(at - now.getTime())).toBeLessThan(60_000);
  });
});
