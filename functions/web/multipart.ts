import { ValidationError } from '#shared/domain/errors.ts';
import type { ApiEvent } from '../lib/middleware.ts';

/**
 * multipart/form-data (RFC 7578) from an API Gateway event: the complaint form with its attachments.
 * Text parts become fields (repeated names become arrays, as in formBody); parts with a filename become
 * files. Anything that is not a well-formed body is refused with a MultipartError saying what is wrong.
 */

export interface MultipartFile {
  field: string;
  /** The file's name without any folder the browser sent; '' when the file input was left empty. */
  filename: string;
  /** As the browser declared it: never trusted (the content is checked). */
  contentType: string;
  bytes: Uint8Array;
}

export interface MultipartForm {
  fields: Record<string, string | string[]>;
  files: MultipartFile[];
}

export class MultipartError extends ValidationError {
  constructor(problem: string) {
    super(`The form could not be read (${problem}). Go back, check your answers and try again.`);
  }
}

/** Enough for any form here; more parts than this is not a browser sending our form. */
const MAX_PARTS = 200;
const MAX_HEADER_BYTES = 8 * 1024;

function header(event: ApiEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Splits `type; a=1; b="x; y"` into the type and its parameters (names lower-cased, quotes removed). */
export function parseHeaderValue(value: string): { value: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  let index = value.indexOf(';');
  const main = (index === -1 ? value : value.slice(0, index)).trim().toLowerCase();
  while (index !== -1 && index < value.length) {
    index++;
    while (value[index] === ' ' || value[index] === '\t') index++;
    const equals = value.indexOf('=', index);
    if (equals === -1) break;
    const name = value.slice(index, equals).trim().toLowerCase();
    index = equals + 1;
    let parameter = '';
    if (value[index] === '"') {
      index++;
      while (index < value.length && value[index] !== '"') {
        // Browsers percent-encode quotes in names and send backslashes as they are; only \" is an escape.
        if (value[index] === '\\' && value[index + 1] === '"') index++;
        parameter += value[index];
        index++;
      }
      if (value[index] !== '"') throw new MultipartError(`an unterminated quoted "${name}"`);
      index = value.indexOf(';', index + 1);
    } else {
      const end = value.indexOf(';', index);
      parameter = (end === -1 ? value.slice(index) : value.slice(index, end)).trim();
      index = end;
    }
    if (name && !(name in params)) params[name] = parameter;
  }
  return { value: main, params };
}

export function isMultipart(event: ApiEvent): boolean {
  return parseHeaderValue(header(event, 'content-type') ?? '').value === 'multipart/form-data';
}

/** The boundary from a multipart/form-data content type (RFC 2046: 1 to 70 characters). */
export function boundaryOf(contentType: string): string {
  const { value, params } = parseHeaderValue(contentType);
  if (value !== 'multipart/form-data') throw new MultipartError('it was not sent as multipart/form-data');
  const boundary = params.boundary;
  if (
    !boundary ||
    boundary.length > 70 ||
    !/^[0-9A-Za-z'()+_,\-./:=? ]*[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary)
  ) {
    throw new MultipartError('it has no valid boundary');
  }
  return boundary;
}

/** The file name without any folder (old browsers send C:\Users\...\photo.jpg). */
function baseName(filename: string): string {
  return filename.split(/[\\/]/).pop() ?? '';
}

function decodeExtended(value: string): string | undefined {
  // RFC 5987: charset'language'percent-encoded; only UTF-8 is worth supporting.
  const match = /^utf-8'[^']*'(.*)$/i.exec(value);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1] ?? '');
  } catch {
    return undefined;
  }
}

interface PartHeaders {
  name: string;
  filename?: string;
  contentType: string;
}

function readPartHeaders(raw: string): PartHeaders {
  const headers: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError('a part has a malformed header');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const disposition = headers['content-disposition'];
  if (!disposition) throw new MultipartError('a part has no Content-Disposition');
  const { value, params } = parseHeaderValue(disposition);
  if (value !== 'form-data') throw new MultipartError('a part is not form-data');
  if (params.name === undefined || params.name === '') throw new MultipartError('a part has no name');
  const extended = params['filename*'] !== undefined ? decodeExtended(params['filename*']) : undefined;
  const filename = extended ?? params.filename;
  return {
    name: params.name,
    filename: filename === undefined ? undefined : baseName(filename),
    contentType:
      headers['content-type'] ?? (filename === undefined ? 'text/plain' : 'application/octet-stream'),
  };
}

/** Parses a multipart/form-data body. Lines may end CRLF (as browsers send) or LF. */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartForm {
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.from(`\n--${boundary}`, 'latin1');
  const fields: Record<string, string | string[]> = {};
  const files: MultipartFile[] = [];

  // The first boundary: at the very start, or after a preamble line.
  let position: number;
  if (buffer.subarray(0, dashBoundary.length).equals(dashBoundary)) position = dashBoundary.length;
  else {
    const found = buffer.indexOf(delimiter);
    if (found === -1) throw new MultipartError('the boundary does not appear in it');
    position = found + delimiter.length;
  }

  for (let parts = 0; ; parts++) {
    // After a boundary: "--" ends the body; otherwise optional padding then a line break.
    if (buffer[position] === 0x2d && buffer[position + 1] === 0x2d) break;
    while (buffer[position] === 0x20 || buffer[position] === 0x09) position++;
    if (buffer[position] === 0x0d) position++;
    if (buffer[position] !== 0x0a) throw new MultipartError('a boundary is not followed by a line break');
    position++;
    if (parts >= MAX_PARTS) throw new MultipartError('it has too many parts');

    const next = buffer.indexOf(delimiter, position);
    if (next === -1) throw new MultipartError('it ends before its closing boundary: it may be incomplete');
    // The line break before the delimiter belongs to the delimiter.
    const end = next > position && buffer[next - 1] === 0x0d ? next - 1 : next;
    const part = buffer.subarray(position, end);
    position = next + delimiter.length;

    let headerEnd: number;
    let contentStart: number;
    if (part[0] === 0x0a || (part[0] === 0x0d && part[1] === 0x0a)) {
      headerEnd = 0;
      contentStart = part[0] === 0x0a ? 1 : 2;
    } else {
      const crlf = part.indexOf('\r\n\r\n');
      const lf = part.indexOf('\n\n');
      if (crlf === -1 && lf === -1) throw new MultipartError('a part has no blank line after its headers');
      if (crlf !== -1 && (lf === -1 || crlf < lf)) {
        headerEnd = crlf;
        contentStart = crlf + 4;
      } else {
        headerEnd = lf;
        contentStart = lf + 2;
      }
    }
    if (headerEnd > MAX_HEADER_BYTES) throw new MultipartError('a part has headers that are too long');
    const headers = readPartHeaders(part.subarray(0, headerEnd).toString('utf8'));
    const content = part.subarray(contentStart);
    if (headers.filename !== undefined) {
      files.push({
        field: headers.name,
        filename: headers.filename,
        contentType: headers.contentType,
        bytes: new Uint8Array(content),
      });
    } else {
      const value = content.toString('utf8');
      const existing = fields[headers.name];
      if (existing === undefined) fields[headers.name] = value;
      else fields[headers.name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
  }
  return { fields, files };
}

/** The event's body as bytes (API Gateway base64-encodes binary media such as multipart/form-data). */
export function bodyBytes(event: ApiEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** Parses the event's multipart/form-data body, using the boundary from its content-type header. */
export function multipartBody(event: ApiEvent): MultipartForm {
  const boundary = boundaryOf(header(event, 'content-type') ?? '');
  return parseMultipart(bodyBytes(event), boundary);
}
