import { createHash } from 'node:crypto';

/**
 * Residents' photos and documents, however they arrive (the complaint form or an email): the types, sizes
 * and names we accept, checked on the server by extension AND content, and how each is named in the store.
 */

export const MB = 1024 * 1024;

export const ATTACHMENT_LIMITS = {
  maxFiles: 3,
  maxFileBytes: 3 * MB,
  /**
   * Lambda takes at most 6 MB per request or response, and API Gateway passes files base64-encoded (4/3
   * larger): 4 MB of files is about 5.4 MB on the wire, so uploads and staff downloads both fit.
   */
  maxTotalBytes: 4 * MB,
} as const;

interface FileType {
  extensions: readonly string[];
  contentType: string;
  /** How staff see the type. */
  words: string;
  /** What a file that only pretends to be this type is not. */
  noun: string;
  /** The content really is this type (magic bytes, or valid UTF-8 text). */
  matches(bytes: Uint8Array): boolean;
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) =>
  bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const FILE_TYPES: readonly FileType[] = [
  {
    extensions: ['.pdf'],
    contentType: 'application/pdf',
    words: 'PDF',
    noun: 'a PDF',
    matches: (bytes) => startsWith(bytes, [0x25, 0x50, 0x44, 0x46]), // %PDF
  },
  {
    extensions: ['.jpg', '.jpeg'],
    contentType: 'image/jpeg',
    words: 'JPEG image',
    noun: 'a JPG',
    matches: (bytes) => startsWith(bytes, [0xff, 0xd8, 0xff]),
  },
  {
    extensions: ['.png'],
    contentType: 'image/png',
    words: 'PNG image',
    noun: 'a PNG',
    matches: (bytes) => startsWith(bytes, [0x89, 0x50, 0x4e, 0x47]),
  },
  {
    extensions: ['.docx'],
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    words: 'Word document',
    noun: 'a Word document',
    matches: (bytes) => startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]), // PK\x03\x04 (a zip)
  },
  {
    extensions: ['.txt'],
    contentType: 'text/plain; charset=utf-8',
    words: 'Text file',
    noun: 'a plain text file',
    matches: isPlainText,
  },
];

/** For the file input's accept attribute: a hint to the browser's file picker, not a check. */
export const ACCEPT = FILE_TYPES.flatMap((type) => type.extensions).join(',');

export const TYPE_LIST = 'a PDF, JPG, PNG, Word document (.docx) or text file (.txt)';

export interface AcceptedFile {
  /** The name as shown: no folders, no control characters. */
  name: string;
  /** The name as stored: ASCII letters, digits, dots, dashes and underscores only. */
  safeName: string;
  contentType: string;
  bytes: Uint8Array;
  sha256: string;
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}

/** The name to show: the browser's, without control characters or bidi overrides, at most 200 characters. */
export function displayName(filename: string): string {
  const cleaned = filename
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned.length <= 200) return cleaned;
  const extension = extensionOf(cleaned);
  return `${cleaned.slice(0, 200 - extension.length)}${extension}`;
}

/** An ASCII name for storage keys and download headers, keeping the (checked) extension. */
export function safeFileName(filename: string, extension = extensionOf(filename)): string {
  const stem = filename.slice(0, filename.length - extension.length);
  const ascii = stem
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return `${ascii || 'file'}${extension.replace(/[^A-Za-z0-9.]/g, '')}`;
}

export function sizeWords(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  if (bytes < MB) return `${Math.max(1, Math.round(bytes / 1024))}KB`;
  return `${(bytes / MB).toFixed(1)}MB`;
}

export function typeWords(contentType: string): string {
  return FILE_TYPES.find((type) => type.contentType === contentType)?.words ?? contentType;
}

export type FileCheck = { ok: true; file: AcceptedFile } | { ok: false; problem: string };

/**
 * One file against the rules: a type we accept by its extension and its content, not empty, not too large.
 * `truncated`: the reader stopped before the end (so it is too large whatever its length says).
 */
export function checkFile(filename: string, bytes: Uint8Array, truncated = false): FileCheck {
  const name = displayName(filename) || 'The selected file';
  const extension = extensionOf(name);
  const type = FILE_TYPES.find((candidate) => candidate.extensions.includes(extension));
  if (!type) return { ok: false, problem: `${name} must be ${TYPE_LIST}` };
  if (bytes.length === 0) return { ok: false, problem: `${name} is empty` };
  if (truncated || bytes.length > ATTACHMENT_LIMITS.maxFileBytes) {
    return { ok: false, problem: `${name} must be smaller than ${ATTACHMENT_LIMITS.maxFileBytes / MB}MB` };
  }
  if (!type.matches(bytes)) {
    return { ok: false, problem: `${name} is not ${type.noun}: what is in it does not match its name` };
  }
  return {
    ok: true,
    file: {
      name,
      safeName: safeFileName(name, extension),
      contentType: type.contentType,
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
  };
}
