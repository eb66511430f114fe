import { describe, expect, it, vi } from 'vitest';
import { reportsHandler } from '#functions/api/staff-queries.ts';
import { dependencies } from '#functions/lib/config.ts';
import { type CaseEvent, foldCase } from '#shared/domain/case.ts';
import { resident } from '../support/fixtures.ts';
import { apiEvent, lambdaContext, staffClaims, useLocalAws } from './setup.ts';

useLocalAws();
const handler = { kind: 'staff', id: 'handler-1', role: 'handler' } as const;

/** A case received at `at` and accepted as a complaint an hour later, stored as the workflow stores it. */
async function complaint(reference: string, at: string) {
  const deps = await dependencies();
  const events: CaseEvent[] = [
    {
      type: 'received',
      at,
      by: resident,
      reference,
      channel: 'phone',
      complainant: { name: 'Ada Resident', phone: '01632 960 001', preferredContact: 'phone' },
      complaint: { whatHappened: 'The fence is broken.', outcomeWanted: 'Fix it' },
    },
    {
      type: 'triaged',
      at: new Date(Date.parse(at) + 3_600_000).toISOString(),
      by: handler,
      outcome: 'complaint',
    },
  ];
  await deps.repository.saveProjection(foldCase(reference.toLowerCase(), events, deps.context), {
    contacts: [],
    names: [],
  });
}

async function report(query: Record<string, string>, role = 'manager') {
  const response = (await reportsHandler(
    apiEvent({ routeKey: 'GET /staff/reports', queryStringParameters: query, claims: staffClaims(role) }),
    lambdaContext,
  )) as { statusCode: number; headers: Record<string, string>; body: string };
  // biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON's nested figures by path
  return { ...response, json: () => JSON.parse(response.body) as Record<string, any> };
}

describe('GET /staff/reports', () => {
  it('gives a period’s figures as JSON, CSV and HTML, and the cases behind a figure', async () => {
    // 23:30 UTC on 31 March 2026 is 00:30 BST on 1 April: in 2026-27. 22:30 UTC is 23:30 on 31 March: not.
    await complaint('CMP-2026-000001', '2026-03-31T23:30:00Z');
    await complaint('CMP-2026-000002', '2026-05-11T09:00:00Z');
    await complaint('CMP-2025-000009', '2026-03-31T22:30:00Z');
    const homes = (await dependencies()).context.profile.homes;
    const period = { from: '2026-04-01', to: '2027-03-31' };

    const json = await report(period);
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/application\/json/);
    const figures = json.json();
    expect(figures.period).toEqual(period);
    expect(figures.tsm.CH01_1).toEqual({ value: (2 / homes) * 1000, numerator: 2, denominator: homes });
    expect(figures.counts.byChannel.phone).toBe(2);

    const csv = await report({ ...period, format: 'csv' });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\r\n')).toContain(`CH01_1,${(2 / homes) * 1000},2,${homes},`);

    const page = await report({ ...period, format: 'html' });
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toMatch(/<th scope="row"><code>CH01_1<\/code><\/th>/);

    const explained = await report({ ...period, explain: 'CH01_1' });
    expect(explained.json()).toEqual({ figure: 'CH01_1', cases: ['CMP-2026-000001', 'CMP-2026-000002'] });
    const unknown = await report({ ...period, explain: 'CH09' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toMatch(/not a figure.*CH02_1/);
  });

  it('defaults to the financial year containing today (London)', async () => {
    vi.setSystemTime(new Date('2027-03-31T23:30:00Z')); // 00:30 BST on 1 April 2027
    expect((await report({})).json().period).toEqual({ from: '2027-04-01', to: '2028-03-31' });
  });

  it('is for managers and admins only', async () => {
    expect((await report({}, 'admin')).statusCode).toBe(200);
    for (const role of ['handler', 'reviewer']) {
      const refused = await report({}, role);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({
        error: 'FORBIDDEN',
        message: expect.stringMatching(/managers/),
      });
    }
  });

  it('answers 400 saying what is wrong with the period', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ from: '2026-13-01', to: '2027-03-31' }, /"from" must be a date YYYY-MM-DD/],
      [{ from: '2026-04-01', to: '31/03/2027' }, /"to" must be a date YYYY-MM-DD/],
      [{ from: '2026-04-01' }, /Give both "from" and "to"/],
      [{ from: '2027-04-01', to: '2026-04-01' }, /must be on or before/],
      [{ from: '2024-04-01', to: '2027-03-31' }, /longer than two years/],
    ];
    for (const [query, message] of cases) {
      const refused = await report(query);
      expect(refused.statusCode, JSON.stringify(query)).toBe(400);
      expect(refused.json()).toMatchObject({
        error: 'INVALID_QUERY',
        message: expect.stringMatching(message),
      });
    }
    expect((await report({ format: 'pdf' })).statusCode).toBe(422);
  });
});
