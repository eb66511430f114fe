import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
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

  async deleteCase(caseId: string): Promise<number> {
    const [{ ListObjectsV2Command, DeleteObjectsCommand }, client] = await Promise.all([
      sdk(),
      this.client(),
    ]);
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${caseId}/`, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length > 0) {
        const result = await client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }),
        );
        if (result.Errors?.length) {
          throw new Error(`${result.Errors.length} letter(s) of case ${caseId} could not be deleted`);
        }
        deleted += keys.length;
      }
      token = page.NextContinuationToken;
    } while (token);
    return deleted;
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

  async deleteCase(caseId: string): Promise<number> {
    const folder = resolve(join(this.root, caseId));
    if (!folder.startsWith(`${resolve(this.root)}${sep}`))
      throw new RangeError(`case id ${caseId} escapes the letters folder`);
    const files = await readdir(folder).catch(() => []);
    await rm(folder, { recursive: true, force: true });
    return files.length;
  }
}
