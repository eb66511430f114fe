/**
 * The small document model letters and alerts are written in (paragraphs, headings, lists, lines and links),
 * rendered once as plain text and once as escaped HTML, and the escaping both use. Pure: no I/O.
 */

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes &, <, >, ", ' for HTML text and attribute contexts. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** Control characters and line/paragraph separators: nothing of the kind may reach a mail header. */
const CONTROL = /[\p{Cc}\u2028\u2029]+/gu;

function headerSafe(value: string): string {
  return value.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}

/** A short value (a name, a reference) on one line. */
export function oneLine(value: string): string {
  return headerSafe(value);
}

export interface Link {
  href: string;
  label: string;
}
export type Inline = string | Link;
export type Block =
  | { kind: 'p'; parts: Inline[] }
  | { kind: 'h'; text: string }
  | { kind: 'ul'; items: Inline[][] }
  | { kind: 'lines'; lines: Inline[][] };

/** A paragraph, a heading and a bulleted list. */
export const p = (...parts: Inline[]): Block => ({ kind: 'p', parts });
export const h = (text: string): Block => ({ kind: 'h', text });
export const ul = (items: Inline[][]): Block => ({ kind: 'ul', items });

const SAFE_HREF = /^(https?:\/\/|mailto:|tel:)/i;

function inlineText(part: Inline): string {
  if (typeof part === 'string') return part;
  if (/^(mailto|tel):/i.test(part.href) || part.label === part.href) return part.label;
  return `${part.label} (${part.href})`;
}

function htmlText(value: string): string {
  return escapeHtml(value).replace(/\r\n|\r|\n/g, '<br>\n');
}

function inlineHtml(part: Inline): string {
  if (typeof part === 'string') return htmlText(part);
  // Only web, mail and phone links become anchors; anything else (javascript:, data:...) stays inert text.
  if (!SAFE_HREF.test(part.href)) return htmlText(inlineText(part));
  return `<a href="${escapeHtml(part.href)}">${htmlText(part.label)}</a>`;
}

function blockText(block: Block): string {
  switch (block.kind) {
    case 'p':
      return block.parts.map(inlineText).join('');
    case 'h':
      return block.text;
    case 'ul':
      return block.items.map((item) => `- ${item.map(inlineText).join('')}`).join('\n');
    case 'lines':
      return block.lines.map((line) => line.map(inlineText).join('')).join('\n');
  }
}

function renderText(blocks: readonly Block[]): string {
  return `${blocks.map(blockText).join('\n\n')}\n`;
}

function blockHtml(block: Block): string {
  switch (block.kind) {
    case 'p':
      return `<p>${block.parts.map(inlineHtml).join('')}</p>`;
    case 'h':
      return `<h2>${htmlText(block.text)}</h2>`;
    case 'ul':
      return `<ul>\n${block.items.map((item) => `<li>${item.map(inlineHtml).join('')}</li>`).join('\n')}\n</ul>`;
    case 'lines':
      return `<p>${block.lines.map((line) => line.map(inlineHtml).join('')).join('<br>\n')}</p>`;
  }
}

function renderHtml(subject: string, blocks: readonly Block[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en-GB">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title>`,
    '</head>',
    '<body>',
    ...blocks.map(blockHtml),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A subject and blocks as an email: the subject safe for a header, the body as text and as escaped HTML. */
export function render(subject: string, blocks: readonly Block[]): RenderedMessage {
  const safeSubject = headerSafe(subject);
  return { subject: safeSubject, text: renderText(blocks), html: renderHtml(safeSubject, blocks) };
}

/** Parts joined as a list in prose: "a, b, or c". */
export function joinList(parts: Inline[][]): Inline[] {
  return parts.flatMap((part, index) => {
    if (index === 0) return part;
    return [index === parts.length - 1 ? ', or ' : ', ', ...part];
  });
}
