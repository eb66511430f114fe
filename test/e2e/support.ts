import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { freePort } from '../support/local-process.ts';

export const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

export interface RunningSystem {
  url: string;
  sesUrl: string;
  /** The inbound email (SMTP) listener's port. */
  smtpPort: number;
  process: ChildProcess;
  stop(): Promise<void>;
  advance(body: Record<string, unknown>): Promise<string>;
  emails(): Promise<
    Array<{ subject: string; destination: { to: string[] }; body: { text: string; html: string } }>
  >;
}

/** `npm start` in a child process (its virtual clock must not share this process's timers). */
export async function startSystem(
  start: string,
  provider = 'code-baseline',
  /** A data directory to start on (one a test seeded); a fresh one by default. */
  dataDir = mkdtempSync(join(tmpdir(), 'e2e-')),
): Promise<RunningSystem> {
  const [port, sesPort, smtpPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'infra/local/main.ts',
      '--provider',
      provider,
      '--port',
      String(port),
      '--ses-port',
      String(sesPort),
      '--smtp-port',
      String(smtpPort),
      '--data-dir',
      dataDir,
      '--start',
      start,
    ],
    { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('Press Ctrl-C')) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    child.on('exit', () => {
      clearInterval(timer);
      reject(new Error(`the local runtime exited:\n${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const sesUrl = `http://127.0.0.1:${sesPort}`;
  return {
    url,
    sesUrl,
    smtpPort,
    process: child,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    },
    async advance(body) {
      const response = await fetch(`${url}/local/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const result = (await response.json()) as { now: string };
      return result.now;
    },
    async emails() {
      return ((await (await fetch(`${sesUrl}/store`)).json()) as { emails: never[] }).emails;
    },
  };
}

/** Debian's Chromium, headless, with no background traffic (this machine has no internet). */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
  process.env.HOME = profile;
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core on the page as it is; returns the serious and critical violations. */
/** Every axe violation on the page, whatever its impact (the annual report is held to all of them). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = (await page.evaluate(async () => {
    const result = await (
      globalThis as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } }
    ).axe.run();
    return result.violations;
  })) as AxeViolation[];
  return violations;
}

export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeViolations(page)).filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
}

export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The resident's private link from the latest email to them. */
export function caseLinkIn(text: string): string {
  const match = /(https?:\/\/[^\s)]+\/cases\/[^\s)?]+\?token=[A-Za-z0-9._-]+)/.exec(text);
  if (!match?.[1]) throw new Error(`no case link in:\n${text}`);
  return match[1];
}
