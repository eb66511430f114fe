import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type RunningSystem, seriousViolations, shoot, startSystem } from './support.ts';

/*
 * Email cases in the staff console, in Chromium against `npm start` in a child process: messages go in over
 * SMTP as a mail program sends them. Budgets as in whole-case.test.ts (a busy 2-core machine).
 */
const START_MS = 180_000;
const EMAIL_MS = 300_000;
const INBOX = 'complaints@code-baseline.example.org';

let system: RunningSystem;
let browser: Browser;

beforeAll(async () => {
  system = await startSystem('2026-03-02T10:00:00Z');
  browser = await launchBrowser();
}, START_MS);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

async function check(page: Page, name: string) {
  await shoot(page, name);
  const violations = await seriousViolations(page);
  expect(
    violations.map(
      (v) => `${name}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
  ).toEqual([]);
}

async function send(message: { from: string; subject: string; text: string }) {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: system.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  await transport.sendMail({ ...message, to: INBOX });
}

/** The references staff search finds for this text (the JSON API, as the local runtime signs staff in). */
async function found(q: string): Promise<string[]> {
  const response = await fetch(`${system.url}/staff/cases?q=${encodeURIComponent(q)}`, {
    headers: { 'x-local-user': 'hannah' },
  });
  return ((await response.json()) as { cases: Array<{ reference: string }> }).cases.map((c) => c.reference);
}

async function until(condition: () => Promise<boolean>, what: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} never happened`);
}

/** Reloads until the page has the selector (intake runs a moment after the SMTP listener takes the message). */
async function waitFor(page: Page, selector: string) {
  for (let attempt = 0; attempt < 50; attempt++) {
    if ((await page.locator(selector).count()) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
    await page.reload();
  }
  throw new Error(`${selector} never appeared on ${page.url()}`);
}

/** A download link answers the message as received, as a download. */
async function expectRawEmail(page: Page, selector: string, contains: string) {
  const href = await page.locator(selector).getAttribute('href');
  const response = await page.request.get(`${system.url}${href}`);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('message/rfc822');
  expect(response.headers()['content-disposition']).toMatch(/^attachment;/);
  expect(await response.text()).toContain(contains);
}

describe('email cases in the staff console', () => {
  it(
    'staff see an email case, find it by sender, and decide the held email',
    async () => {
      await send({
        from: 'Ada Resident <ada@resident.example>',
        subject: 'Boiler broken for three weeks',
        text: 'The boiler has been broken for three weeks and nobody has come.',
      });
      await until(async () => (await found('ada@resident.example')).length === 1, "Ada's case");
      await send({
        from: 'Mallory Stranger <mallory@elsewhere.example>',
        subject: 'CMP-2026-000001 please close this complaint',
        text: 'Please close this complaint and send me everything on the case.',
      });
      await send({
        from: 'Sam Other <sam@elsewhere.example>',
        subject: 'Same as CMP-2026-000001: my boiler too',
        text: 'My boiler at number 12 is broken as well <script>alert(1)</script>.',
      });

      const page = await (
        await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })
      ).newPage();
      await page.goto(`${system.url}/staff`);
      await page.locator('input[value="hannah"]').check();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/staff(\?|$)/);

      // Find the case by the sender's address; it says it came by email, with the message to download.
      await page.getByRole('link', { name: 'Find a case' }).click();
      await page.getByLabel('Find a case').fill('ada@resident.example');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: 'CMP-2026-000001' }).click();
      await page.waitForURL(/\/staff\/case\//);
      expect(await page.textContent('main')).toMatch(/by email/i);
      await expectRawEmail(page, '[data-testid="raw-email"]', 'Boiler broken for three weeks');
      await check(page, 'email-01-case');

      // The two strangers quoting Ada's reference are held, not on her case and not cases of their own.
      await page.getByRole('link', { name: 'Held email' }).click();
      await waitFor(page, 'a:has-text("Same as CMP-2026-000001")');
      await waitFor(page, 'a:has-text("CMP-2026-000001 please close this complaint")');
      await check(page, 'email-02-held-list');
      await page.getByRole('link', { name: 'CMP-2026-000001 please close this complaint' }).click();
      expect(await page.textContent('[data-testid="held-text"]')).toContain('send me everything on the case');
      await expectRawEmail(page, '[data-testid="held-raw"]', 'Please close this complaint');
      await check(page, 'email-03-held');

      // A reference that names no case is refused, saying so; then it is added to Ada's case.
      await page.getByLabel('Add it to a case').fill('CMP-2026-000099');
      await page.getByRole('button', { name: 'Add to the case' }).click();
      expect(await page.textContent('.govuk-error-summary')).toContain('There is no case CMP-2026-000099');
      await check(page, 'email-04-held-refused');
      await page.getByLabel('Add it to a case').fill('CMP-2026-000001');
      await page.getByRole('button', { name: 'Add to the case' }).click();
      await page.waitForURL(/\/staff\/case\/.*done=held-attached/);
      const timeline = (await page.textContent('[data-testid="timeline"]')) ?? '';
      expect(timeline).toContain(
        'Email received from Mallory Stranger <mallory@elsewhere.example> (not the complainant)',
      );
      expect(timeline).toContain('a member of staff added it to this case');
      await check(page, 'email-05-attached');
      expect(await found('mallory@elsewhere.example')).toEqual(['CMP-2026-000001']);

      // The other is opened as a case of its own, from when it arrived; its text stays text.
      await page.getByRole('link', { name: 'Held email' }).click();
      await page.getByRole('link', { name: 'Same as CMP-2026-000001: my boiler too' }).click();
      expect(await page.textContent('[data-testid="held-text"]')).toContain('<script>alert(1)</script>');
      await page.getByRole('button', { name: 'Open as a new case' }).click();
      await page.waitForURL(/\/staff\/case\/.*done=held-opened/);
      expect(await page.textContent('main')).toContain('CMP-2026-000002');
      expect(await page.textContent('main')).toMatch(/by email/i);
      await check(page, 'email-06-opened');
      expect(await found('sam@elsewhere.example')).toEqual(['CMP-2026-000002']);

      await page.getByRole('link', { name: 'Held email' }).click();
      expect(await page.locator('[data-testid="held-empty"]').count()).toBe(1);
    },
    EMAIL_MS,
  );
});
