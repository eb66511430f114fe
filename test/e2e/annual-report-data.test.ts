import { mkdirSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynaliteServer } from '#infra/local/dynalite.ts';
import { LOCAL_TABLE } from '#infra/local/system.ts';
import { createDocumentClient, DynamoDbCaseStore } from '#shared/adapters/dynamodb-case-store.ts';
import { createTableInput } from '#shared/adapters/table-design.ts';
import { type CaseEvent, caseContext, foldCase } from '#shared/domain/case.ts';
import { loadProfile } from '#shared/policy/load-profile.ts';
import { addCalendarDays, londonWallClockToInstant } from '#shared/time/london.ts';
import { handler, resident, stageResponse } from '../support/fixtures.ts';
import { axeViolations, launchBrowser, type RunningSystem, shoot, startSystem } from './support.ts';

/**
 * The annual report and the themes report in Chromium over a year with cases in it: a population written into a
 * data directory (as the adapter writes it), then `npm start` on that directory.
 */

const profile = loadProfile('code-baseline');
const ctx = caseContext(profile);
const THEMES = ['Repairs and maintenance', 'Damp and mould', 'Anti-social behaviour and neighbours'];
const CAUSES = ['Resident not kept informed', 'Timescale or appointment missed'];

/** A complaint received on a London date and answered at stage 1 ten days later with its learning. */
function responded(n: number, day: string): CaseEvent[] {
  const at = (offset: number) => londonWallClockToInstant(addCalendarDays(day, offset), 10, 0);
  return [
    {
      type: 'received',
      at: at(0),
      by: resident,
      reference: `CMP-2026-${String(n).padStart(6, '0')}`,
      channel: n % 2 === 0 ? 'web' : 'phone',
      complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
      complaint: { whatHappened: 'The repair is late.', outcomeWanted: 'Fix it' },
    },
    { type: 'triaged', at: at(0), by: handler, outcome: 'complaint' },
    {
      type: 'acknowledged',
      stage: 1,
      at: at(2),
      by: handler,
      definition: 'The repair',
      outcomesSought: ['Fix it'],
    },
    {
      type: 'response-issued',
      stage: 1,
      at: at(10),
      by: handler,
      letter: stageResponse(profile, 1, { decision: n % 3 === 0 ? 'not-upheld' : 'upheld' }),
      learning: {
        theme: THEMES[n % THEMES.length] as string,
        rootCause: CAUSES[n % CAUSES.length] as string,
      },
    },
  ];
}

/** 22 complaints, two received in each month from April 2026 to February 2027. */
async function seed(dataDir: string): Promise<string[]> {
  const path = join(dataDir, 'dynamodb');
  mkdirSync(path, { recursive: true });
  const server = dynaliteServer({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(new CreateTableCommand(createTableInput(LOCAL_TABLE)));
  const store = new DynamoDbCaseStore(LOCAL_TABLE, createDocumentClient(client));
  const references: string[] = [];
  for (let n = 1; n <= 22; n++) {
    const month = 4 + Math.floor((n - 1) / 2);
    const date = `${month > 12 ? 2027 : 2026}-${String(((month - 1) % 12) + 1).padStart(2, '0')}-${n % 2 === 0 ? '16' : '05'}`;
    const events = responded(n, date);
    const state = foldCase(`seeded-${n}`, events, ctx);
    await store.saveProjection(state, { contacts: [], names: [] });
    references.push(state.reference);
  }
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
  return references;
}

let system: RunningSystem;
let browser: Browser;
let references: string[];
// Starting the runtime and Chromium on a loaded 2-core machine can pass 60 s (see whole-case.test.ts).
const START_MS = 180_000;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'e2e-report-'));
  references = await seed(dataDir);
  system = await startSystem('2027-03-20T10:00:00Z', 'code-baseline', dataDir);
  browser = await launchBrowser();
}, START_MS);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

async function axeClean(page: Page) {
  const violations = await axeViolations(page);
  expect(
    violations.map((v) => `${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
}

describe('the annual report and the themes report over a year with cases', () => {
  it('shows the year in figures, charts and themes, and each theme count leads to its cases, axe clean', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${system.url}/staff`);
    await page.locator('input[value="mo"]').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/staff(\?|$)/);
    await page.getByRole('link', { name: 'Annual report' }).click();
    expect(await page.locator('h1').textContent()).toContain('2026-27');
    // 22 complaints among 5,000 homes: 4.4 per 1,000; the three charts (received, outcomes, themes) are drawn.
    expect(await page.locator('main').textContent()).toContain('4.4');
    expect(await page.locator('svg[role="img"]').count()).toBe(3);
    expect(await page.locator('main').textContent()).toContain('Damp and mould');
    await shoot(page, 'annual-report-with-cases');
    await axeClean(page);

    await page.getByRole('link', { name: /Themes and root causes over the year/ }).click();
    expect(await page.locator('h1').textContent()).toContain('Themes and root causes 2026-27');
    const rows = page
      .locator('table', { has: page.locator('caption', { hasText: 'Themes by month' }) })
      .locator('tbody tr');
    expect(await rows.count()).toBe(3);
    await shoot(page, 'themes-by-month');
    await axeClean(page);
    await page.getByRole('link', { name: 'Show by quarter' }).click();
    expect(await page.locator('main').textContent()).toContain('Q1 (Apr 2026 to Jun 2026)');
    await shoot(page, 'themes-by-quarter');
    await axeClean(page);

    // The whole year's count of a theme lists its responses, each linked to its case.
    const total = page.getByRole('link', { name: /Damp and mould, whole year: see the cases/ }).first();
    const count = Number((await total.textContent())?.match(/^\d+/)?.[0]);
    expect(count).toBeGreaterThan(0);
    await total.click();
    expect(await page.locator('h1').textContent()).toContain('Damp and mould');
    const listed = await page.locator('tbody tr a').allTextContents();
    expect(listed).toHaveLength(count);
    for (const reference of listed) expect(references).toContain(reference);
    await shoot(page, 'themes-cases');
    await axeClean(page);
    await context.close();
  }, 180_000);
});
