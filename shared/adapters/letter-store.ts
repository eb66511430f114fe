import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { LetterStore } from '../ports/notifications.ts';

/** Rendered letters for post, in the letters bucket (KMS-encrypted by the bucket's default). */
export class S3LetterStore implements LetterStore {
  constructor(
    private readonly bucket: string,
    private readonly client: S3Client = new S3Client({}),
  ) {}

  async put(key: string, content: string) {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: content,
        ContentType: 'text/plain; charset=utf-8',
      }),
    );
    return { location: `s3://${this.bucket}/${key}` };
  }
}

/** The local runtime's post tray: one text file per letter. */
export class FolderLetterStore implements LetterStore {
  constructor(private readonly root: string) {}

  async put(key: string, content: string) {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(`${resolve(this.root)}${sep}`))
      throw new RangeError(`letter key ${key} escapes the letters folder`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content, 'utf8');
    return { location: path };
  }
}
