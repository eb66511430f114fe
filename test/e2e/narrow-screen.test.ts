import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type RunningSystem, seriousViolations, shoot, startSystem } from './support.ts';

/**
 * The public pages on a small phone (375 CSS pixels, as an iPhone SE or mini): nothing wider than the screen,
 * so a resident never scrolls sideways to read a line (WCAG 1.4.10 Reflow).
 */

const PHONE_WIDTH = 375;

let system: RunningSystem;
let browser: Browser;
// Starting the runtime and Chromium on a loaded 2-core machine can pass 60 s (see whole-case.test.ts).
const START_MS = 180_000;

beforeAll(async () => {
  system = await startSystem('2026-03-02T10:00:00Z');
  browser = await launchBrowser();
}, START_MS);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

/** A complaint through the API, for the resident's case page (its private link, on this runtime). */
async function caseLink(): Promise<string> {
  const response = await fetch(`${system.url}/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'narrow-screen-0001' },
    body: JSON.stringify({
      complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
      complaint: { whatHappened: 'The boiler has been broken for three weeks.', outcomeWanted: 'Fix it' },
    }),
  });
  expect(response.status).toBe(201);
  const link = new URL(String(((await response.json()) as { caseLink: string }).caseLink));
  return `${system.url}${link.pathname}${link.search}`;
}

describe('the public pages on a 375 px phone', () => {
  it('are no wider than the screen and axe clean: home, complaint form, how to complain, the case page, staff sign-in, a broken link', async () => {
    const link = await caseLink();
    const pages = {
      home: `${system.url}/`,
      'complaint form': `${system.url}/complain`,
      'how to complain': `${system.url}/how-to-complain`,
      'case page': link,
      'staff sign-in': `${system.url}/staff/sign-in`,
      // A link cut short (403): the page that says what to do instead.
      'broken link': link.slice(0, -5),
    };
    const context = await browser.newContext({
      viewport: { width: PHONE_WIDTH, height: 667 },
      isMobile: true,
      hasTouch: true,
      // Only so axe-core can be injected.
      bypassCSP: true,
    });
    const page = await context.newPage();
    const problems: string[] = [];
    for (const [name, url] of Object.entries(pages)) {
      const response = await page.goto(url);
      expect(response?.status(), name).toBe(name === 'broken link' ? 403 : 200);
      await shoot(page, `narrow-${name.replaceAll(' ', '-')}`);
      const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
      if (width > PHONE_WIDTH) problems.push(`${name}: ${width} px`);
      // The stacked layouts keep their structure for screen readers (headings in order, lists labelled).
      for (const violation of await seriousViolations(page)) problems.push(`${name}: axe ${violation.id}`);
    }
    await context.close();
    expect(problems).toEqual([]);
  }, 120_000);
});
