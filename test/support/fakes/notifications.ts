import type { LetterStore, Mailer, OutgoingEmail } from '#shared/ports/notifications.ts';

/** A mailer that keeps what it sends; `failNext` makes the next sends throw (SES refusing, say). */
export class RecordingMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  private readonly failures: Error[] = [];

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push(structuredClone(email));
    return { messageId: `message-${this.sent.length}` };
  }

  failNext(...errors: Error[]): void {
    this.failures.push(...errors);
  }

  to(address: string): OutgoingEmail[] {
    return this.sent.filter((email) => email.to.includes(address));
  }
}

/** Letters for post, by key. */
export class MemoryLetterStore implements LetterStore {
  readonly letters = new Map<string, string>();

  async put(key: string, content: string): Promise<{ location: string }> {
    this.letters.set(key, content);
    return { location: `memory://letters/${key}` };
  }

  async deleteCase(caseId: string): Promise<number> {
    const keys = [...this.letters.keys()].filter((key) => key.startsWith(`${caseId}/`));
    for (const key of keys) this.letters.delete(key);
    return keys.length;
  }
}
