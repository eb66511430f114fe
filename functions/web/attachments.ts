import {
  type AcceptedFile,
  ATTACHMENT_LIMITS,
  checkFile,
  MB,
  safeFileName,
  TYPE_LIST,
} from '#shared/domain/attachment-rules.ts';
import type { MultipartFile } from './multipart.ts';

export {
  ACCEPT,
  type AcceptedFile,
  ATTACHMENT_LIMITS,
  displayName,
  safeFileName,
  sizeWords,
  typeWords,
} from '#shared/domain/attachment-rules.ts';
// The rules are shared with email intake; the form's own wording and field live here.
export { storeAttachments } from '#shared/usecases/attachments.ts';

/** The complaint form's field name for its file input. */
export const ATTACHMENTS_FIELD = 'attachments';

export const ATTACHMENT_HINT = `You can add up to ${ATTACHMENT_LIMITS.maxFiles} photos or documents, for example photos of damp or a letter we sent you. Each must be ${TYPE_LIST}, and smaller than ${ATTACHMENT_LIMITS.maxFileBytes / MB}MB. Together they must be smaller than ${ATTACHMENT_LIMITS.maxTotalBytes / MB}MB.`;

const CHOOSE_AGAIN = 'Select your files again: we do not keep files from a form that has a problem';

export type AttachmentCheck = { ok: true; files: AcceptedFile[] } | { ok: false; message: string };

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
    const check = checkFile(file.filename, file.bytes, file.truncated);
    if (!check.ok) return refuse(check.problem);
    total += file.bytes.length;
    files.push(check.file);
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

/** A download's Content-Disposition: an ASCII filename for every browser, and the real name (RFC 6266). */
export function contentDisposition(name: string): string {
  const ascii = safeFileName(name).replace(/["\\]/g, '');
  const encoded = encodeURIComponent(name).replace(
    /['()*!]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
