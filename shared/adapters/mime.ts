import { createHash } from 'node:crypto';
import { type AddressObject, simpleParser } from 'mailparser';
import type { EmailAddress, InboundEmail } from '../domain/email.ts';

/** Message-IDs longer than this are not ids anyone replies to; they are replaced by the message's hash. */
const MAX_ID_LENGTH = 500;

const bare = (id: string) => id.trim().replace(/^<|>$/g, '');

function addresses(field: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects
    .flatMap((object) => object.value)
    .flatMap((entry) => (entry.group ? entry.group : [entry]))
    .flatMap((entry) =>
      entry.address
        ? [{ address: entry.address.trim(), ...(entry.name?.trim() ? { name: entry.name.trim() } : {}) }]
        : [],
    );
}

function idList(value: string | string[] | undefined): string[] {
  const all = (Array.isArray(value) ? value : value ? [value] : []).flatMap(
    (entry) => entry.match(/<[^<>\s]+>/g) ?? [entry],
  );
  return all.map(bare).filter(Boolean);
}

/**
 * Parses a raw message (RFC 5322 MIME, as SES stores it or the local SMTP listener receives it) into the
 * domain's inbound email: charsets and transfer encodings decoded, an HTML-only body turned into plain text
 * with scripts and styles dropped. `receivedAt` is the receipt time, never the message's Date header.
 */
export async function parseEmail(raw: Uint8Array, receivedAt: string): Promise<InboundEmail> {
  const mail = await simpleParser(Buffer.from(raw), { skipTextToHtml: true, skipImageLinks: true });
  const givenId = mail.messageId ? bare(mail.messageId) : '';
  const messageId =
    givenId && givenId.length <= MAX_ID_LENGTH
      ? givenId
      : `sha256-${createHash('sha256').update(raw).digest('hex')}`;
  const contentType = mail.headers.get('content-type') as { value?: string } | string | undefined;
  const mimeType = (typeof contentType === 'string' ? contentType : (contentType?.value ?? 'text/plain'))
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  const from = addresses(mail.from)[0];
  return {
    messageId,
    receivedAt,
    ...(from ? { from } : {}),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    subject: (mail.subject ?? '').replace(/[\r\n]+/g, ' ').trim(),
    text: (mail.text ?? '').replace(/\r\n?/g, '\n').trim(),
    referencedIds: [...idList(mail.inReplyTo), ...idList(mail.references).reverse()],
    headers: mail.headerLines.map(({ key, line }) => ({
      name: key.toLowerCase(),
      value: line
        .slice(line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    })),
    mimeType: mimeType || 'text/plain',
    attachments: mail.attachments.map((attachment) => ({
      filename: attachment.filename ?? '',
      contentType: attachment.contentType,
      bytes: new Uint8Array(attachment.content),
    })),
  };
}
