import type { AcceptedFile } from '../domain/attachment-rules.ts';
import type { AttachmentRecord } from '../domain/case.ts';
import type { AttachmentStore } from '../ports/attachments.ts';

/**
 * Stores each file under the intake's idempotency key (the form's, or the email's), so a retry of the same form with the same files
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
