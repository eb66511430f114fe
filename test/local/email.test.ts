import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../infra/local/runtime.ts';

/** Email sent over SMTP to the running local system, as a resident's mail program would send it. */

let runtime: Runtime;
beforeAll(async () => {
  runtime = await startRuntime({
    provider: 'code-baseline',
    dataDir: mkdtempSync(join(tmpdir(), 'rt-email-')),
    port: 0,
    sesPort: 0,
    smtpPort: 0,
    start: new Date('2026-03-02T10:00:00Z'),
  });
  await fetch(`${runtime.sesUrl}/clear-store`, { method: 'POST' });
});
afterAll(() => runtime?.stop());

interface OutboxEmail {
  messageId: string;
  subject: string;
  replyTo?: string[];
  destination: { to: string[] };
  body: { text: string };
}

async function outboxTo(address: string): Promise<OutboxEmail[]> {
  const { emails } = (await (await fetch(`${runtime.sesUrl}/store`)).json()) as { emails: OutboxEmail[] };
  return emails.filter((email) => email.destination.to.includes(address));
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await runtime.system.settle();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return read();
}

async function staffCase(reference: string) {
  const found = (await (
    await fetch(`${runtime.url}/staff/cases?q=${reference}`, { headers: { 'x-local-user': 'hannah' } })
  ).json()) as { cases: Array<{ caseId: string }> };
  const caseId = found.cases[0]?.caseId ?? '';
  return (await (
    await fetch(`${runtime.url}/staff/cases/${caseId}`, { headers: { 'x-local-user': 'hannah' } })
  ).json()) as { state: { channel: string; complainant: { email: string }; emails?: unknown[] } };
}

describe('emailing the local system over SMTP', () => {
  it('a complaint opens a case with a receipt in the outbox, and the reply threads onto the same case', async () => {
    const { port, inbox } = runtime.smtp;
    expect(runtime.smtp.url).toBe(`smtp://127.0.0.1:${port}`);
    expect(inbox).toBe('complaints@code-baseline.example.org');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });

    await transport.sendMail({
      from: '"Ada Resident" <ada@resident.example>',
      to: inbox,
      subject: 'Boiler broken for three weeks',
      text: 'Nobody has come to fix my boiler.',
    });
    const [receipt] = await until(
      () => outboxTo('ada@resident.example'),
      (emails) => emails.length > 0,
    );
    const reference = /CMP-\d{4}-\d{6}/.exec(receipt?.subject ?? '')?.[0] ?? '';
    expect(reference).toBe('CMP-2026-000001');
    const opened = await staffCase(reference);
    expect(opened.state.channel).toBe('email');
    expect(opened.state.complainant.email).toBe('ada@resident.example');

    // The resident's mail program replies to the receipt: to its Reply-To, quoting it.
    const replyTo = receipt?.replyTo?.[0] ?? '';
    expect(replyTo).toMatch(/^complaints\+cmp-2026-000001\.[0-9a-f]{12}@code-baseline\.example\.org$/);
    await transport.sendMail({
      from: '"Ada Resident" <ada@resident.example>',
      to: replyTo,
      subject: `Re: ${receipt?.subject}`,
      inReplyTo: `<${receipt?.messageId}@eu-west-2.amazonses.com>`,
      text: 'Still no heating.\n\nOn Mon, 2 Mar 2026, Complaints wrote:\n> We have received your complaint',
    });
    const threaded = await until(
      () => staffCase(reference),
      (view) => (view.state.emails?.length ?? 0) > 0,
    );
    expect(threaded.state.emails).toHaveLength(1);
    const other = (await (
      await fetch(`${runtime.url}/staff/cases?q=ada@resident.example`, {
        headers: { 'x-local-user': 'hannah' },
      })
    ).json()) as { cases: unknown[] };
    expect(other.cases).toHaveLength(1);
  });

  it('refuses a recipient outside the complaints domain', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: runtime.smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    await expect(
      transport.sendMail({ from: 'ada@resident.example', to: 'someone@elsewhere.example', text: 'hello' }),
    ).rejects.toMatchObject({ responseCode: 550 });
  });
});
