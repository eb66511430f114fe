/** A file a resident attached to their complaint, as stored: the bytes and the type we checked them to be. */
export interface StoredAttachment {
  bytes: Uint8Array;
  contentType: string;
}

/**
 * Where files are kept: residents' attachments (the attachments bucket in AWS, a folder locally), and raw
 * inbound emails (the inbound bucket SES writes to, the folder the local SMTP listener writes to).
 */
export interface AttachmentStore {
  /** Stores the bytes under the key, replacing what was there (a retry writes the same bytes again). */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<{ location: string }>;
  /** The stored file, or undefined when there is none under that key. */
  get(key: string): Promise<StoredAttachment | undefined>;
  /** Removes the file (nothing happens when there is none). */
  delete(key: string): Promise<void>;
}
