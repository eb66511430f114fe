import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiEvent } from '../lib/middleware.ts';
import { contentDisposition } from './attachments.ts';
import type { SafeHtml } from './ui/html.ts';
import { INLINE_SCRIPT_HASH } from './ui/layout.ts';

/** Security headers on every page: no framing, no sniffing, scripts only from ourselves. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': `default-src 'self'; script-src 'self' '${INLINE_SCRIPT_HASH}'; style-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'self' https:; frame-ancestors 'none'`,
};

export function page(
  body: SafeHtml,
  statusCode = 200,
  cookies?: string[],
): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: PAGE_HEADERS, body: `<!DOCTYPE html>\n${body.value}`, cookies };
}

/**
 * A file as a download, never shown inline (whatever a resident or a sender's server gave us is only ever
 * saved), sandboxed and never cached.
 */
export function download(
  bytes: Uint8Array,
  fileName: string,
  contentType: string,
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      'content-type': contentType,
      'content-disposition': contentDisposition(fileName),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'referrer-policy': 'no-referrer',
    },
    body: Buffer.from(bytes).toString('base64'),
    isBase64Encoded: true,
  };
}

export function redirect(location: string, cookies?: string[]): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 303, headers: { location, 'cache-control': 'no-store' }, body: '', cookies };
}

/**
 * A form's fields, with no prototype: a field named `__proto__`, `constructor` or `toString` is a plain
 * key, never an inherited value or a way to replace the object's prototype.
 */
export function emptyFields(): Record<string, string | string[]> {
  return Object.create(null) as Record<string, string | string[]>;
}

/** Adds one submitted value; repeated names become arrays. */
export function addField(fields: Record<string, string | string[]>, name: string, value: string): void {
  const existing = fields[name];
  if (existing === undefined) fields[name] = value;
  else fields[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
}

/** Parses an application/x-www-form-urlencoded body; repeated names become arrays. */
export function formBody(event: ApiEvent): Record<string, string | string[]> {
  const fields = emptyFields();
  if (!event.body) return fields;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  for (const [name, value] of new URLSearchParams(raw)) addField(fields, name, value);
  return fields;
}

export function field(fields: Record<string, string | string[]>, name: string): string {
  const value = fields[name];
  return (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
}

export function fieldList(fields: Record<string, string | string[]>, name: string): string[] {
  const value = fields[name];
  return (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .map((item) => item.trim())
    .filter(Boolean);
}

export function cookie(event: Pick<ApiEvent, 'cookies' | 'headers'>, name: string): string | undefined {
  const all = event.cookies ?? (event.headers.cookie ? event.headers.cookie.split(/;\s*/) : []);
  for (const entry of all) {
    const [key, ...rest] = entry.split('=');
    if (key?.trim() !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      // Not a value we set (we percent-encode ours properly): treat it as absent, so the page asks again.
      return undefined;
    }
  }
  return undefined;
}

export function wantsHtml(event: ApiEvent): boolean {
  return (event.headers.accept ?? '').includes('text/html');
}
