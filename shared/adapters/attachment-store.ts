import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AttachmentStore, StoredAttachment } from '../ports/attachments.ts';
import { type ClientSource, clientOf } from './sdk-client.ts';

const sdk = () => import('@aws-sdk/client-s3');

/** Residents' attachments, in the attachments bucket (KMS-encrypted and versioned by the bucket). */
export class S3AttachmentStore implements AttachmentStore {
  private readonly client: () => Promise<S3Client>;

  constructor(
    private readonly bucket: string,
    client: ClientSource<S3Client> = async () => new (await sdk()).S3Client({}),
  ) {
    this.client = clientOf(client);
  }

  async put(key: string, bytes: Uint8Array, contentType: string) {
    const [{ PutObjectCommand }, client] = await Promise.all([sdk(), this.client()]);
    await client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        // Never shown inline if someone reaches the object directly: it is a resident's upload.
        ContentDisposition: 'attachment',
      }),
    );
    return { location: `s3://${this.bucket}/${key}` };
  }

  async get(key: string): Promise<StoredAttachment | undefined> {
    const [{ GetObjectCommand }, client] = await Promise.all([sdk(), this.client()]);
    try {
      const result = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!result.Body) return undefined;
      return {
        bytes: await result.Body.transformToByteArray(),
        contentType: result.ContentType ?? 'application/octet-stream',
      };
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const [{ DeleteObjectCommand }, client] = await Promise.all([sdk(), this.client()]);
    await client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

const META_SUFFIX = '.meta.json';

/** The local runtime's attachments: one file per attachment, its content type in a file beside it. */
export class FolderAttachmentStore implements AttachmentStore {
  constructor(private readonly root: string) {}

  private pathFor(key: string): string {
    const root = resolve(this.root);
    const path = resolve(join(root, key));
    const inside = relative(root, path);
    if (!inside || inside.startsWith('..') || isAbsolute(inside) || key.endsWith(META_SUFFIX)) {
      throw new RangeError(`attachment key ${key} escapes the attachments folder`);
    }
    return path;
  }

  async put(key: string, bytes: Uint8Array, contentType: string) {
    const path = this.pathFor(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    await writeFile(`${path}${META_SUFFIX}`, JSON.stringify({ contentType }), 'utf8');
    return { location: path };
  }

  async get(key: string): Promise<StoredAttachment | undefined> {
    const path = this.pathFor(key);
    try {
      const bytes = await readFile(path);
      const meta = JSON.parse(await readFile(`${path}${META_SUFFIX}`, 'utf8').catch(() => '{}')) as {
        contentType?: string;
      };
      return { bytes: new Uint8Array(bytes), contentType: meta.contentType ?? 'application/octet-stream' };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathFor(key);
    await rm(path, { force: true });
    await rm(`${path}${META_SUFFIX}`, { force: true });
  }
}
