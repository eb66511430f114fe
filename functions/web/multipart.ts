import { Busboy } from '@fastify/busboy';
import { ValidationError } from '#shared/domain/errors.ts';
import type { ApiEvent } from '../lib/middleware.ts';
import { ATTACHMENT_LIMITS } from './attachments.ts';
import { addField, emptyFields } from './http.ts';

/**
 * multipart/form-data (RFC 7578) from an API Gateway event: the complaint form with its attachments.
 * Text parts become fields (repeated names become arrays, as in formBody); parts with a filename become
 * files. A body that is not well-formed, or is over a limit, is refused with a MultipartError saying
 * what is wrong.
 */

export interface MultipartFile {
  field: string;
  /** The file's name without any folder the browser sent; '' when the file input was left empty. */
  filename: string;
  /** As the browser declared it: never trusted (the content is checked). */
  contentType: string;
  bytes: Uint8Array;
  /** The file was larger than the parser keeps: bytes hold only its start. */
  truncated?: boolean;
}

export interface MultipartForm {
  fields: Record<string, string | string[]>;
  files: MultipartFile[];
  /** More file parts came than the parser keeps; the rest were skipped unread. */
  moreFiles?: boolean;
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

/** The MIME essence of a Content-Type: `type/subtype` before any `;`, trimmed and lower-cased. */
export function mediaType(value: string): string {
  const index = value.indexOf(';');
  return (index === -1 ? value : value.slice(0, index)).trim().toLowerCase();
}

/** Splits `type; a=1; b="x; y"` into the type and its parameters (names lower-cased, quotes removed). */
export function parseHeaderValue(value: string): { value: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  let index = value.indexOf(';');
  const main = mediaType(value);
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

/**
 * One more file part than the form accepts: a file input with nothing chosen still sends an empty part,
 * and the attachment checks say "Select up to 3 files" on the form for a fourth.
 */
const MAX_FILE_PARTS = ATTACHMENT_LIMITS.maxFiles + 1;
/** The form has about twenty fields; far more is not a browser sending it. */
const MAX_FIELDS = 100;
/** The longest answer is 10,000 characters (at most 40KB of UTF-8): anything longer is not our form. */
const MAX_FIELD_BYTES = 64 * 1024;

function kilobytes(bytes: number): string {
  return `${bytes / 1024}KB`;
}

/**
 * Parses a multipart/form-data body with @fastify/busboy. A file is kept only up to the largest size we
 * accept (over it, it is marked truncated and the rest is never copied); the numbers of parts, fields and
 * files and the size of each field and header are limited. Parts busboy cannot read as form data (no
 * Content-Disposition, not form-data, malformed headers) are skipped: they are never stored, and the form's
 * own checks then say what is missing.
 */
export function parseMultipart(body: Uint8Array, boundary: string): Promise<MultipartForm> {
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // Busboy reports this only as an unexpected end: say what is actually wrong.
  if (buffer.indexOf(`--${boundary}`, 0, 'latin1') === -1) {
    return Promise.reject(new MultipartError('the boundary does not appear in it'));
  }
  return new Promise((resolve, reject) => {
    const fields = emptyFields();
    const files: MultipartFile[] = [];
    const reading: Promise<void>[] = [];
    let moreFiles = false;
    let problem: string | undefined;
    const refuse = (why: string) => {
      problem ??= why;
    };
    const parser = Busboy({
      headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` },
      // A part is a file when it has a filename, whatever content type it declares.
      isPartAFile: (_name, _type, filename) => filename !== undefined,
      limits: {
        parts: MAX_PARTS,
        fields: MAX_FIELDS,
        files: MAX_FILE_PARTS,
        fileSize: ATTACHMENT_LIMITS.maxFileBytes,
        fieldSize: MAX_FIELD_BYTES,
        headerSize: MAX_HEADER_BYTES,
        headerPairs: 20,
      },
    });
    parser.on('field', (name: string | undefined, value: string, _nameTruncated, valueTruncated) => {
      if (!name) return refuse('a part has no name');
      if (valueTruncated) {
        return refuse(`the answer "${name.slice(0, 40)}" is too long: at most ${kilobytes(MAX_FIELD_BYTES)}`);
      }
      addField(fields, name, value);
    });
    parser.on('file', (name: string | undefined, stream, filename, _encoding, contentType) => {
      const chunks: Buffer[] = [];
      let truncated = false;
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      // Busboy stops copying at the size limit; the attachment checks then say how large a file may be.
      stream.on('limit', () => {
        truncated = true;
      });
      reading.push(
        new Promise((done) => {
          stream.on('error', () => done());
          stream.on('end', () => {
            if (!name) refuse('a part has no name');
            else {
              const bytes = new Uint8Array(Buffer.concat(chunks));
              files.push({ field: name, filename, contentType, bytes, ...(truncated ? { truncated } : {}) });
            }
            done();
          });
        }),
      );
    });
    parser.on('filesLimit', () => {
      moreFiles = true;
    });
    parser.on('fieldsLimit', () => refuse(`it has too many fields: at most ${MAX_FIELDS}`));
    parser.on('partsLimit', () => refuse(`it has too many parts: at most ${MAX_PARTS}`));
    parser.on('error', () =>
      reject(
        new MultipartError(
          'it ends before its closing boundary: it may be incomplete, or its lines may not end with CRLF',
        ),
      ),
    );
    parser.on('finish', () => {
      void Promise.all(reading).then(() => {
        if (problem) reject(new MultipartError(problem));
        else resolve({ fields, files, moreFiles });
      });
    });
    parser.end(buffer);
  });
}

/** The event's body as bytes (API Gateway base64-encodes binary media such as multipart/form-data). */
export function bodyBytes(event: ApiEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** Parses the event's multipart/form-data body, using the boundary from its content-type header. */
export function multipartBody(event: ApiEvent): Promise<MultipartForm> {
  const boundary = boundaryOf(header(event, 'content-type') ?? '');
  return parseMultipart(bodyBytes(event), boundary);
}
