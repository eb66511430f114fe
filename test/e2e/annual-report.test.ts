import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, launchBrowser, type RunningSystem, shoot, startSystem } from './support.ts';

/** The annual report in Chromium: axe clean on screen, and printed without the console around it. */

let system: RunningSystem;
let browser: Browser;
// Starting the runtime and Chromium on a loaded 2-core machine can pass 60 s (see whole-case.test.ts).
const START_MS = 180_000;

beforeAll(async () => {
  system = await startSystem('2026-05-04T10:00:00Z');
  browser = await launchBrowser();
}, START_MS);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

describe('the annual complaints performance report in a browser', () => {
  it('renders for a manager with its charts and self-assessment, axe clean, and prints without navigation or buttons', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${system.url}/staff`);
    await page.locator('input[value="mo"]').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/staff(\?|$)/);
    await page.getByRole('link', { name: 'Annual report' }).click();
    expect(await page.locator('h1').textContent()).toContain(
      'Annual complaints performance and service improvement report 2026-27',
    );
    expect(await page.locator('svg[role="img"]').count()).toBe(2);
    expect(await page.locator('[data-testid="provision"]').count()).toBeGreaterThan(50);
    await shoot(page, 'annual-report');
    const violations = await axeViolations(page);
    expect(
      violations.map((v) => `${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ).toEqual([]);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.govuk-service-navigation').isVisible()).toBe(false);
    expect(await page.locator('#self-assessment-form button').isVisible()).toBe(false);
    // The self-assessment is part of the printed report: its rows print as filled in.
    expect(await page.locator('[data-testid="provision"]').first().isVisible()).toBe(true);
    expect(await page.locator('#chart-received-title').count()).toBe(1);
    await shoot(page, 'annual-report-print');
    await context.close();
  }, 120_000);
});
