import { mkdtempSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyTooLargeError, DRAIN_LIMIT_FACTOR, readBytes } from '../../infra/local/http-adapter.ts';
import { type Runtime, startRuntime } from '../../infra/local/runtime.ts';

const MB = 1024 * 1024;
/** The most the client sends before giving up on the server closing the connection. */
const CLIENT_CAP = 80 * MB;

let runtime: Runtime;
beforeAll(async () => {
  runtime = await startRuntime({
    provider: 'code-baseline',
    dataDir: mkdtempSync(join(tmpdir(), 'body-limit-')),
    port: 0,
    sesPort: 0,
    start: new Date('2026-03-02T10:00:00Z'),
  });
});
afterAll(async () => {
  await runtime?.stop();
});

/**
 * Sends the head, then body bytes as fast as the connection takes them, until the server answers (a client
 * that keeps writing after the answer may see the reset of a connection closed with unread data before it
 * reads the answer) or CLIENT_CAP is sent. Resolves, once the server closes the connection, with what came
 * back and how much was sent.
 */
function sendEndlessBody(
  head: string,
  frame: (chunk: Buffer) => Buffer,
): Promise<{ answer: string; sent: number }> {
  const { port } = new URL(runtime.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    const received: Buffer[] = [];
    let sent = 0;
    let closed = false;
    const chunk = Buffer.alloc(MB, 0x61);
    const finish = () => {
      closed = true;
      resolve({ answer: Buffer.concat(received).toString('latin1'), sent });
    };
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('error', () => undefined);
    socket.on('close', finish);
    const pump = () => {
      while (!closed && !received.length && sent < CLIENT_CAP) {
        sent += chunk.length;
        if (!socket.write(frame(chunk))) return socket.once('drain', pump);
      }
      if (!closed && !received.length) socket.end();
    };
    socket.write(head, pump);
  });
}

describe('a huge or unending request body (local HTTP adapter)', () => {
  it('an unending chunked body: 413, and the connection closes once twice the limit has come in', async () => {
    const { answer, sent } = await sendEndlessBody(
      'POST /complain HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: multipart/form-data; boundary=x\r\ntransfer-encoding: chunked\r\n\r\n',
      (chunk) => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer).toMatch(/larger than 10 MB/);
    // The server stopped reading at 20 MB; what else the client got out sat in the sockets' buffers.
    expect(sent).toBeLessThan(CLIENT_CAP);
  }, 60_000);

  it('a declared 1 GB body: 413, and the connection closes without reading it all', async () => {
    const { answer, sent } = await sendEndlessBody(
      `POST /complain HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: multipart/form-data; boundary=x\r\ncontent-length: ${1024 * MB}\r\n\r\n`,
      (chunk) => chunk,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(sent).toBeLessThan(CLIENT_CAP);
  }, 60_000);

  it('the local clock route answers a body over its limit with 413, not 422', async () => {
    const answer = await fetch(`${runtime.url}/local/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ days: 1, padding: 'x'.repeat(20_000) }),
    });
    expect(answer.status).toBe(413);
    expect(((await answer.json()) as { error: string }).error).toBe('TOO_LARGE');
  });

  it('readBytes stops reading an unending stream past the drain limit, and says the connection must close', async () => {
    let produced = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) {
          produced += 40;
          yield Buffer.alloc(40);
        }
      })(),
    );
    const error = await readBytes(endless as unknown as IncomingMessage, 100).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ closeConnection: true });
    expect(produced).toBeLessThan(100 * DRAIN_LIMIT_FACTOR + 40 * 20);
    endless.destroy();
  });
});
