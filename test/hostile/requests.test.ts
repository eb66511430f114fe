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
beforeAll(async () => {
  runtime = await startRuntime({
    provider: 'code-baseline',
    dataDir: mkdtempSync(join(tmpdir(), 'hostile-')),
    port: 0,
    sesPort: 0,
    start: new Date('2026-03-02T10:00:00Z'),
  });
});
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
});
