import { decodeWords } from 'postal-mime';

/*
 * The MIME structure of a message (RFC 2045-2049): headers, multipart trees, transfer encodings and charsets.
 * Written here rather than taken whole from a library because the libraries carry far more than intake needs
 * (mailparser about 1 MB with its charset tables and HTML converter, postal-mime 89 KB of which 45 KB is an
 * HTML entity table), and email intake must stay within 300 KB (issue 12). The hard parts of header syntax,
 * addresses and RFC 2047 encoded words, are postal-mime's exported helpers. Charsets are the runtime's
 * TextDecoder (Node's full ICU knows the legacy charsets mail still uses).
 */

/** Deeper multiparts are not read (their content is skipped): a message nested this deep is an attack. */
const MAX_DEPTH = 32;
/** Parts beyond this count are not read, for the same reason. */
const MAX_PARTS = 1000;

export interface RawHeader {
  /** Lower-case field name. */
  name: string;
  /** The whole field as it appeared, name and folding included (decoded as UTF-8, else Windows-1252). */
  line: string;
}

export interface MimePart {
  headers: RawHeader[];
  /** Lower-case type/subtype; text/plain when the part declares none (RFC 2045 §5.2). */
  type: string;
  params: Record<string, string>;
  /** Lower-case Content-Disposition token, when there is one. */
  disposition?: string;
  dispositionParams: Record<string, string>;
  /** The body with its transfer encoding undone (empty for a multipart). */
  body: Uint8Array;
  children: MimePart[];
  /** The part is a message/rfc822 read inline: its one child is the enclosed message. */
  message: boolean;
}

/*
 * Windows-1252's characters at 0x80-0x9F. Node 20.18.3+, 22.13+ and 24 decode the "windows-1252" label
 * (and iso-8859-1, us-ascii, which the Encoding Standard maps to it) as Latin-1, leaving C1 control
 * characters where the curly quotes, dashes and the euro sign were (nodejs/node#56542, #60888).
 */
const WINDOWS_1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** C1 control characters read as Windows-1252: mail text never means the controls themselves. */
export const windows1252Controls = (text: string) =>
  text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80] ?? c);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text in the given charset; text that declares none, or an unknown one, is UTF-8 unless it is not valid UTF-8. */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const declared = knownDecoder(charset);
  if (declared && declared.encoding !== 'utf-8') return decodeWith(declared, bytes);
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeWith(new TextDecoder('windows-1252'), bytes);
  }
}

function knownDecoder(charset: string | undefined) {
  try {
    return charset ? new TextDecoder(charset.trim().toLowerCase()) : undefined;
  } catch {
    return undefined; // a label TextDecoder does not know
  }
}

const decodeWith = (decoder: typeof utf8, bytes: Uint8Array) => {
  const text = decoder.decode(bytes);
  return decoder.encoding === 'windows-1252' ? windows1252Controls(text) : text;
};

/** A binary string (one char per byte) as bytes, and bytes as one. */
const bytesOf = (binary: string): Uint8Array => Buffer.from(binary, 'latin1');
const binaryOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** Header text: RFC 6532 allows raw UTF-8; anything else 8-bit is most likely Windows-1252. */
const headerText = (binary: string) =>
  /[\x80-\xff]/.test(binary) ? decodeCharset(bytesOf(binary), undefined) : binary;

function splitHeaders(binary: string): { headers: RawHeader[]; body: string } {
  const end = /\r?\n\r?\n/.exec(binary);
  const head =
    binary.startsWith('\n') || binary.startsWith('\r\n') ? '' : end ? binary.slice(0, end.index) : binary;
  const body =
    head === '' ? binary.replace(/^\r?\n/, '') : end ? binary.slice(end.index + end[0].length) : '';
  const headers: RawHeader[] = [];
  for (const line of head === '' ? [] : head.split(/\r?\n/)) {
    const last = headers[headers.length - 1];
    if (/^[ \t]/.test(line) && last) last.line += `\r\n${headerText(line)}`;
    else if (line.includes(':'))
      headers.push({ name: line.slice(0, line.indexOf(':')).trim().toLowerCase(), line: headerText(line) });
  }
  return { headers, body };
}

/** A header's value unfolded, or undefined when the part does not have it. */
export function headerValue(headers: readonly RawHeader[], name: string): string | undefined {
  const header = headers.find((entry) => entry.name === name);
  return header === undefined
    ? undefined
    : header.line
        .slice(header.line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim();
}

/**
 * `type/subtype; name=value; name="quoted value"` with RFC 2231's extended parameters (`name*=utf-8''%E2%80%A6`,
 * continued as `name*0*=`, `name*1*=`); encoded words, which some clients put in parameters, are decoded.
 */
export function parseStructured(value: string): { token: string; params: Record<string, string> } {
  const [token = '', ...rest] = value.match(/(?:"(?:\\.|[^"\\])*(?:"|$)|[^;])+/g) ?? [];
  const pieces = new Map<string, { index: number; extended: boolean; text: string }[]>();
  for (const param of rest) {
    // The value is trimmed after matching: a lazy `(.*?)\s*$` is quadratic on blanks inside a long value.
    const match = /^\s*([^=*\s]+)(?:\*(\d+))?(\*)?\s*=([\s\S]*)$/.exec(param);
    if (!match) continue;
    const [, name = '', index = '0', extended] = match;
    const raw = (match[4] ?? '').trim();
    const text = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    const key = name.toLowerCase();
    const piece = { index: Number(index), extended: !!extended, text };
    const known = pieces.get(key);
    if (known) known.push(piece);
    else pieces.set(key, [piece]);
  }
  const params: Record<string, string> = {};
  for (const [name, parts] of pieces) {
    parts.sort((a, b) => a.index - b.index);
    const first = parts[0];
    if (first?.extended) {
      const [, charset = '', , firstText = ''] = /^([^']*)'([^']*)'(.*)$/s.exec(first.text) ?? [];
      const encoded = [firstText, ...parts.slice(1).map((part) => part.text)].join('');
      const bytes = bytesOf(
        encoded.replace(/%([0-9a-f]{2})/gi, (_, hex) => String.fromCharCode(Number.parseInt(hex, 16))),
      );
      params[name] = decodeCharset(bytes, charset || undefined);
    } else {
      params[name] = windows1252Controls(decodeWords(parts.map((part) => part.text).join('')));
    }
  }
  return { token: token.trim().toLowerCase(), params };
}

const hexValue = (code: number) =>
  code >= 0x30 && code <= 0x39
    ? code - 0x30
    : (code | 0x20) >= 0x61 && (code | 0x20) <= 0x66
      ? (code | 0x20) - 0x57
      : -1;

const isBlank = (code: number) => code === 0x20 || code === 0x09;

/**
 * RFC 2045 §6.7; an `=` that starts no escape is kept as it is. Byte by byte, in one pass: a regex callback per
 * escape took seconds on a large message, and a regex for trailing whitespace is quadratic on long runs of it.
 */
function decodeQuotedPrintable(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  let length = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (isBlank(code)) {
      let end = index;
      while (isBlank(text.charCodeAt(end + 1))) end++;
      const next = text.charCodeAt(end + 1);
      // Whitespace at the end of a line is transport padding; before a soft line break (=) it is text.
      if (end + 1 === text.length || next === 0x0a || (next === 0x0d && text.charCodeAt(end + 2) === 0x0a)) {
        index = end;
        continue;
      }
      for (; index <= end; index++) bytes[length++] = text.charCodeAt(index);
      index = end;
      continue;
    }
    if (code === 0x3d) {
      const next = text.charCodeAt(index + 1);
      if (next === 0x0a || (next === 0x0d && text.charCodeAt(index + 2) === 0x0a)) {
        index += next === 0x0a ? 1 : 2;
        continue;
      }
      const high = hexValue(next);
      const low = hexValue(text.charCodeAt(index + 2));
      if (high >= 0 && low >= 0) {
        bytes[length++] = high * 16 + low;
        index += 2;
        continue;
      }
    }
    bytes[length++] = code & 0xff;
  }
  return bytes.subarray(0, length);
}

function decodeTransfer(binary: string, encoding: string): Uint8Array {
  if (encoding === 'base64') return Buffer.from(binary.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(binary);
  return bytesOf(binary);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The bodies of a multipart's parts: between its delimiter lines, preamble and epilogue dropped. */
function splitMultipart(binary: string, boundary: string): string[] {
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${escapeRegExp(boundary)}(--)?[ \\t]*(?=\\r?\\n|$)`, 'g');
  const bodies: string[] = [];
  let start: number | undefined;
  for (const match of binary.matchAll(delimiter)) {
    if (start !== undefined) bodies.push(binary.slice(start, match.index).replace(/^\r?\n/, ''));
    if (match[1]) return bodies;
    start = match.index + match[0].length;
  }
  if (start !== undefined) bodies.push(binary.slice(start).replace(/^\r?\n/, ''));
  return bodies;
}

/** Parses a raw message into its tree of parts. */
export function parseMime(raw: Uint8Array): MimePart {
  let parts = 0;
  const parse = (binary: string, depth: number, digest: boolean): MimePart => {
    parts += 1;
    const { headers, body } = splitHeaders(binary);
    const contentType = parseStructured(headerValue(headers, 'content-type') ?? '');
    const type = contentType.token.includes('/')
      ? contentType.token
      : digest
        ? 'message/rfc822'
        : 'text/plain';
    const disposition = headerValue(headers, 'content-disposition');
    const { token, params: dispositionParams } = parseStructured(disposition ?? '');
    const encoding = parseStructured(headerValue(headers, 'content-transfer-encoding') ?? '').token;
    const part: MimePart = {
      headers,
      type,
      params: contentType.params,
      ...(token ? { disposition: token } : {}),
      dispositionParams,
      body: new Uint8Array(),
      children: [],
      message: false,
    };
    const boundary = contentType.params.boundary;
    if (type.startsWith('multipart/') && boundary) {
      if (depth < MAX_DEPTH)
        for (const child of splitMultipart(body, boundary)) {
          if (parts >= MAX_PARTS) break;
          part.children.push(parse(child, depth + 1, type === 'multipart/digest'));
        }
    } else if (type === 'message/rfc822' && token !== 'attachment' && depth < MAX_DEPTH) {
      part.message = true;
      part.children.push(parse(binaryOf(decodeTransfer(body, encoding)), depth + 1, false));
    } else {
      part.body = decodeTransfer(body, encoding);
    }
    return part;
  };
  return parse(binaryOf(raw), 0, false);
}
