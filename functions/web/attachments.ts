import { createHash } from 'node:crypto';
import type { AttachmentRecord } from '#shared/domain/case.ts';
import type { AttachmentStore } from '#shared/ports/attachments.ts';
import type { MultipartFile } from './multipart.ts';

/**
 * Residents' photos and documents: what the complaint form accepts (checked here, on the server, whatever
 * the browser allowed), how each file is named in the store, and how sizes are shown.
 */

const MB = 1024 * 1024;

export const ATTACHMENT_LIMITS = {
  maxFiles: 3,
  maxFileBytes: 3 * MB,
  /**
   * Lambda takes at most 6 MB per request or response, and API Gateway passes files base64-encoded (4/3
   * larger): 4 MB of files is about 5.4 MB on the wire, so uploads and staff downloads both fit.
   */
  maxTotalBytes: 4 * MB,
} as const;

/** The complaint form's field name for its file input. */
export const ATTACHMENTS_FIELD = 'attachments';

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

const TYPE_LIST = 'a PDF, JPG, PNG, Word document (.docx) or text file (.txt)';

export const ATTACHMENT_HINT = `You can add up to ${ATTACHMENT_LIMITS.maxFiles} photos or documents, for example photos of damp or a letter we sent you. Each must be ${TYPE_LIST}, and smaller than ${ATTACHMENT_LIMITS.maxFileBytes / MB}MB. Together they must be smaller than ${ATTACHMENT_LIMITS.maxTotalBytes / MB}MB.`;

const CHOOSE_AGAIN = 'Select your files again: we do not keep files from a form that has a problem';

export interface AcceptedFile {
  /** The name as shown: no folders, no control characters. */
  name: string;
  /** The name as stored: ASCII letters, digits, dots, dashes and underscores only. */
  safeName: string;
  contentType: string;
  bytes: Uint8Array;
  sha256: string;
}

export type AttachmentCheck = { ok: true; files: AcceptedFile[] } | { ok: false; message: string };

function extensionOf(name: string): string {
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

/**
 * Checks the files from the form's attachments input: how many, how large, and that each is one of the
 * types we accept by its extension AND its content. An empty input (no file chosen) is not a file.
 * `moreFiles`: the parser skipped file parts beyond its own limit, so there were too many.
 */
export function checkAttachments(all: readonly MultipartFile[], moreFiles = false): AttachmentCheck {
  const chosen = all.filter(
    (file) => file.field === ATTACHMENTS_FIELD && !(file.filename === '' && file.bytes.length === 0),
  );
  const refuse = (problem: string): AttachmentCheck => ({
    ok: false,
    message: `${problem}. ${CHOOSE_AGAIN}`,
  });
  if (moreFiles || chosen.length > ATTACHMENT_LIMITS.maxFiles) {
    return refuse(`Select up to ${ATTACHMENT_LIMITS.maxFiles} files`);
  }
  const files: AcceptedFile[] = [];
  let total = 0;
  for (const file of chosen) {
    const name = displayName(file.filename) || 'The selected file';
    const extension = extensionOf(name);
    const type = FILE_TYPES.find((candidate) => candidate.extensions.includes(extension));
    if (!type) return refuse(`${name} must be ${TYPE_LIST}`);
    if (file.bytes.length === 0) return refuse(`${name} is empty`);
    if (file.truncated || file.bytes.length > ATTACHMENT_LIMITS.maxFileBytes) {
      return refuse(`${name} must be smaller than ${ATTACHMENT_LIMITS.maxFileBytes / MB}MB`);
    }
    if (!type.matches(file.bytes)) {
      return refuse(`${name} is not ${type.noun}: what is in it does not match its name`);
    }
    total += file.bytes.length;
    files.push({
      name,
      safeName: safeFileName(name, extension),
      contentType: type.contentType,
      bytes: file.bytes,
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
    });
  }
  if (total > ATTACHMENT_LIMITS.maxTotalBytes) {
    return refuse(`The files together must be smaller than ${ATTACHMENT_LIMITS.maxTotalBytes / MB}MB`);
  }
  return { ok: true, files };
}

/** Said when the form has other problems: the browser cannot show the chosen files again. */
export function chooseAgain(files: readonly AcceptedFile[]): string {
  return `Select your ${files.length === 1 ? 'file' : 'files'} again (${files.map((file) => file.name).join(', ')}): we do not keep files from a form that has a problem`;
}

/**
 * Stores each file under the form's idempotency key, so a retry of the same form with the same files
 * writes the same objects again rather than new ones. The content hash is in the key too, so a resend of
 * the same form with different files (which intake then refuses) cannot replace the files of a case
 * already made from it.
 */
export async function storeAttachments(
  store: AttachmentStore,
  intakeKey: string,
  files: readonly AcceptedFile[],
): Promise<AttachmentRecord[]> {
  return Promise.all(
    files.map(async (file, index) => {
      const key = `${intakeKey}/${index}-${file.sha256.slice(0, 16)}-${file.safeName}`;
      await store.put(key, file.bytes, file.contentType);
      return {
        name: file.name,
        contentType: file.contentType,
        size: file.bytes.length,
        key,
        sha256: file.sha256,
      };
    }),
  );
}

/** A download's Content-Disposition: an ASCII filename for every browser, and the real name (RFC 6266). */
export function contentDisposition(name: string): string {
  const ascii = safeFileName(name).replace(/["\\]/g, '');
  const encoded = encodeURIComponent(name).replace(
    /['()*!]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
