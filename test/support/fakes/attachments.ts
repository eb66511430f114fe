import type { AttachmentStore, StoredAttachment } from '#shared/ports/attachments.ts';

/** Attachments by key; a put replaces what was there, as the port says. */
export class MemoryAttachmentStore implements AttachmentStore {
  readonly files = new Map<string, StoredAttachment>();

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<{ location: string }> {
    this.files.set(key, { bytes: new Uint8Array(bytes), contentType });
    return { location: `memory://attachments/${key}` };
  }

  async get(key: string): Promise<StoredAttachment | undefined> {
    const file = this.files.get(key);
    return file && { bytes: new Uint8Array(file.bytes), contentType: file.contentType };
  }

  async delete(key: string): Promise<void> {
    this.files.delete(key);
  }
}
