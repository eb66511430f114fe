import { createHash } from 'node:crypto';
import { addressParser, decodeWords } from 'postal-mime';
import type { EmailAddress, InboundAttachment, InboundEmail } from '../domain/email.ts';
import { htmlToText } from './html-text.ts';
import { decodeCharset, headerValue, type MimePart, parseMime, windows1252Controls } from './mime-parts.ts';

/** Message-IDs longer than this are not ids anyone replies to; they are replaced by the message's hash. */
const MAX_ID_LENGTH = 500;

const bare = (id: string) => id.trim().replace(/^<|>$/g, '');

const decoded = (value: string | undefined) => windows1252Controls(decodeWords(value ?? ''));

function addresses(value: string | undefined): EmailAddress[] {
  return addressParser(value ?? '')
    .flatMap((entry) => (entry.group ? entry.group : [entry]))
    .flatMap((entry) => {
      const name = windows1252Controls(entry.name).trim();
      return entry.address ? [{ address: entry.address.trim(), ...(name ? { name } : {}) }] : [];
    });
}

function idList(value: string | undefined): string[] {
  return (value?.match(/<[^<>\s]+>/g) ?? (value ? [value] : [])).map(bare).filter(Boolean);
}

/** Parts read as the message's text when inline (RFC 3464's status report reads as text too). */
const TEXT_TYPES = new Set(['text/plain', 'text/html', 'message/delivery-status']);

const hasPlainText = (part: MimePart): boolean =>
  part.type === 'text/plain' || part.children.some(hasPlainText);

/**
 * The message's text and its files. Every inline text part is text, in order; of a multipart/alternative's
 * versions only the plain text one(s), unless there is none; HTML becomes plain text. A message forwarded as
 * an inline message/rfc822 part reads as its From, Subject, Date, To and Cc lines, then its own text.
 * Any other part, or one marked as an attachment, is an attachment.
 */
function contents(root: MimePart): { text: string[]; attachments: InboundAttachment[] } {
  const text: string[] = [];
  const attachments: InboundAttachment[] = [];
  const walk = (part: MimePart, wanted: boolean) => {
    if (part.message) {
      const [message] = part.children;
      if (!message) return;
      if (wanted) {
        const lines = ['From', 'Subject', 'Date', 'To', 'Cc'].flatMap((name) => {
          const value = headerValue(message.headers, name.toLowerCase());
          return value ? [`${name}: ${decoded(value)}`] : [];
        });
        text.push(`\n${lines.join('\n')}\n`);
      }
      walk(message, wanted);
    } else if (part.type.startsWith('multipart/')) {
      const plain = part.type === 'multipart/alternative' && part.children.some(hasPlainText);
      for (const child of part.children) walk(child, wanted && (!plain || hasPlainText(child)));
    } else if (TEXT_TYPES.has(part.type) && (part.disposition ?? 'inline') === 'inline') {
      if (!wanted) return;
      const body = decodeCharset(part.body, part.params.charset);
      text.push(part.type === 'text/html' ? htmlToText(body) : body);
    } else {
      attachments.push({
        filename: part.dispositionParams.filename ?? part.params.name ?? '',
        contentType: part.type,
        bytes: part.body,
      });
    }
  };
  walk(root, true);
  return { text, attachments };
}

/**
 * Parses a raw message (RFC 5322 MIME, as SES stores it or the local SMTP listener receives it) into the
 * domain's inbound email: charsets and transfer encodings decoded, an HTML-only body turned into plain text
 * with scripts and styles dropped. `receivedAt` is the receipt time, never the message's Date header.
 */
export async function parseEmail(raw: Uint8Array, receivedAt: string): Promise<InboundEmail> {
  const root = parseMime(raw);
  const header = (name: string) => headerValue(root.headers, name);
  const givenId = bare(header('message-id') ?? '');
  const messageId =
    givenId && givenId.length <= MAX_ID_LENGTH
      ? givenId
      : `sha256-${createHash('sha256').update(raw).digest('hex')}`;
  const from = addresses(header('from'))[0];
  const { text, attachments } = contents(root);
  return {
    messageId,
    receivedAt,
    ...(from ? { from } : {}),
    to: addresses(header('to')),
    cc: addresses(header('cc')),
    subject: decoded(header('subject'))
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    text: text.join('\n').replace(/\r\n?/g, '\n').trim(),
    referencedIds: [...idList(header('in-reply-to')), ...idList(header('references')).reverse()],
    headers: root.headers.map(({ name, line }) => ({
      name,
      value: line
        .slice(line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    })),
    mimeType: root.type,
    attachments,
  };
}
