import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { LOCAL_TABLE, startLocalSystem } from '../../infra/local/system.ts';

/**
 * The local runtime's process: its clock is virtual (Date reads it), and its DynamoDB client reaches dynalite
 * in the same process. Both are on every request's path, so each is kept cheap (issue 12).
 */
describe('the local runtime process', () => {
  it('makes plain native Dates at the virtual time, and Date again real time once stopped', async () => {
    const NativeDate = Date;
    const start = new Date('2026-03-02T10:00:00Z');
    const system = await startLocalSystem({ profile: 'code-baseline', start });
    let stopped = false;
    try {
      const now = new Date();
      expect(now.getTime() - start.getTime()).toBeGreaterThanOrEqual(0);
      expect(now.getTime() - start.getTime()).toBeLessThan(3_600_000);
      // A native Date, with nothing of its own: fake-timers' Date defined `constructor` on every instance
      // through a Proxy, 20 to 30 times the cost of a native Date, and the queue page makes hundreds a request.
      expect(Object.getOwnPropertyNames(now)).toEqual([]);
      expect(Object.getPrototypeOf(now)).toBe(NativeDate.prototype);
      expect(now).toBeInstanceOf(Date);
      expect(Date.now() - now.getTime()).toBeLessThan(3_600_000);
      expect(Date().slice(0, 15)).toBe('Mon Mar 02 2026');
      expect(new Date(0).toISOString()).toBe('1970-01-01T00:00:00.000Z');
      expect(new Date(Date.UTC(2026, 0, 31)).getUTCDate()).toBe(31);
      expect(Date.parse('2026-03-02T10:00:00Z')).toBe(start.getTime());

      await system.clock.advance(2 * 86_400_000);
      const later = new Date();
      expect(later.getTime() - now.getTime()).toBeGreaterThanOrEqual(2 * 86_400_000);
      await system.stop();
      stopped = true;
      expect(Date).toBe(NativeDate);
      expect(Math.abs(Date.now() - (performance.timeOrigin + performance.now()))).toBeLessThan(60_000);
    } finally {
      if (!stopped) await system.stop();
    }
  });

  it('sends DynamoDB requests unsigned: dynalite checks only that a signature is there', async () => {
    const system = await startLocalSystem({ profile: 'code-baseline' });
    try {
      const headers: Array<Record<string, string>> = [];
      system.dynamo.middlewareStack.add(
        (next) => async (args) => {
          headers.push({ ...(args.request as { headers: Record<string, string> }).headers });
          return next(args);
        },
        { step: 'deserialize', name: 'seeHeaders' },
      );
      const read = await system.dynamo.send(
        new GetItemCommand({ TableName: LOCAL_TABLE, Key: { pk: { S: 'none' }, sk: { S: 'none' } } }),
      );
      expect(read.Item).toBeUndefined();
      expect(headers).toHaveLength(1);
      // A computed SigV4 signature is 64 hexadecimal digits, from a canonical request and four HMACs.
      expect(headers[0]?.authorization).toMatch(/Signature=unsigned$/);
      expect(headers[0]?.authorization).not.toMatch(/Signature=[0-9a-f]{64}/);
    } finally {
      await system.stop();
    }
  });
});
