import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as intake } from '#functions/email/intake.ts';
import { s3ObjectCreated } from '#functions/lib/s3-events.ts';
import { lambdaContext, useLocalAws } from './setup.ts';

/**
 * The inbound key in AWS: the intake role has s3:GetObject but not s3:ListBucket, so S3 answers a key that is
 * not there with AccessDenied, not NoSuchKey. The event's key is read as given, then form-decoded.
 */
useLocalAws();
const RAW = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'email', 'multipart-alternative.eml'));
const STORED = 'inbound/ada+1 2%.eml';

const s3 = mockClient(S3Client);
beforeEach(() => {
  process.env.INBOUND_EMAIL_BUCKET = 'complaints-inbound';
  s3.reset();
  const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
  s3.on(GetObjectCommand).rejects(denied);
  s3.on(GetObjectCommand, { Key: STORED }).resolves({
    Body: { transformToByteArray: async () => new Uint8Array(RAW) } as never,
    ContentType: 'message/rfc822',
  });
});
afterAll(() => s3.restore());

const receive = (key: string) =>
  intake(
    s3ObjectCreated({
      bucket: 'complaints-inbound',
      key,
      size: RAW.length,
      time: '2026-03-02T09:59:00.000Z',
    }),
    lambdaContext,
  ) as Promise<{ outcome: string }>;

describe('email intake reads the inbound key in AWS', () => {
  it('a URL-encoded event key: its first reading is denied, the decoded one is the stored message', async () => {
    await expect(receive('inbound/ada%2B1+2%25.eml')).resolves.toEqual({ outcome: 'case-opened' });
    const keys = s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key);
    expect(keys).toEqual(['inbound/ada%2B1+2%25.eml', STORED]);
  });

  it('the key as stored is read at once', async () => {
    await expect(receive(STORED)).resolves.toEqual({ outcome: 'case-opened' });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  it('no reading found: the first refusal fails the delivery (so it is retried, then parked), not a guess', async () => {
    await expect(receive('inbound/nobody+here.eml')).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
