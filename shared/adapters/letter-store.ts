import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LetterStore } from '../ports/notifications.ts';
import { type ClientSource, clientOf } from './sdk-client.ts';

const sdk = () => import('@aws-sdk/client-s3');

/** Rendered letters for post, in the letters bucket (KMS-encrypted by the bucket's default). */
export class S3LetterStore implements LetterStore {
  private readonly client: () => Promise<S3Client>;

  constructor(
    private readonly bucket: string,
    client: ClientSource<S3Client> = async () => new (await sdk()).S3Client({}),
  ) {
    this.client = clientOf(client);
  }

  async put(key: string, content: string) {
    const [{ PutObjectCommand }, client] = await Promise.all([sdk(), this.client()]);
    await client.send(
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
