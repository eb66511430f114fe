import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '#functions/lib/middleware.ts';
import {
  ATTACHMENT_LIMITS,
  checkAttachments,
  contentDisposition,
  displayName,
  safeFileName,
  sizeWords,
  storeAttachments,
} from '#functions/web/attachments.ts';
import {
  boundaryOf,
  isMultipart,
  MultipartError,
  type MultipartFile,
  multipartBody,
  parseMultipart,
} from '#functions/web/multipart.ts';
import { FolderAttachmentStore } from '#shared/adapters/attachment-store.ts';
import { BOUNDARY, multipart, SAMPLES } from '../support/multipart.ts';

function event(body: Buffer, contentType: string, base64 = true): ApiEvent {
  return {
    headers: { 'content-type': contentType },
    body: base64 ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: base64,
  } as unknown as ApiEvent;
}

const file = (filename: string, bytes: Uint8Array, field = 'attachments'): MultipartFile => ({
  field,
  filename,
  contentType: 'application/octet-stream',
  bytes,
});

describe('multipart/form-data parsing', () => {
  it('reads text fields (repeated names as arrays) and files with their bytes, from base64 or text', () => {
    const { body, contentType } = multipart([
      { name: 'whatHappened', value: 'Line one\r\nLine two: “quotes” 🏠' },
      { name: 'choice', value: 'a' },
      { name: 'choice', value: 'b' },
      { name: 'attachments', filename: 'photo.png', contentType: 'image/png', bytes: SAMPLES.png },
      { name: 'empty', value: '' },
    ]);
    for (const base64 of [true, false]) {
      const form = multipartBody(event(body, contentType, base64));
      expect(form.fields).toEqual({
        whatHappened: 'Line one\r\nLine two: “quotes” 🏠',
        choice: ['a', 'b'],
        empty: '',
      });
      expect(form.files).toHaveLength(1);
      expect(form.files[0]).toMatchObject({
        field: 'attachments',
        filename: 'photo.png',
        contentType: 'image/png',
      });
      if (base64) expect(Buffer.from(form.files[0]?.bytes ?? []).equals(SAMPLES.png)).toBe(true);
    }
  });

  it('keeps binary content exactly, including CR, LF and dashes that are not the boundary', () => {
    const tricky = Buffer.from([0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a, 0x2d, 0x0d]);
    const { body, contentType } = multipart([{ name: 'f', filename: 'x.bin', bytes: tricky }]);
    const [parsed] = multipartBody(event(body, contentType)).files;
    expect(Buffer.from(parsed?.bytes ?? []).equals(tricky)).toBe(true);
  });

  it('accepts LF-only line breaks, a preamble, an epilogue and a quoted boundary', () => {
    const raw = Buffer.from(
      'preamble to ignore\n--abc\nContent-Disposition: form-data; name="a"\n\nvalue a\n--abc\nContent-Disposition: form-data; name="b"; filename="b.txt"\nContent-Type: text/plain\n\nhello\n--abc--\nepilogue',
    );
    const form = multipartBody(event(raw, 'multipart/form-data; boundary="abc"'));
    expect(form.fields).toEqual({ a: 'value a' });
    expect(form.files[0]).toMatchObject({ filename: 'b.txt', contentType: 'text/plain' });
    expect(Buffer.from(form.files[0]?.bytes ?? []).toString()).toBe('hello');
  });

  it('handles quoted and unusual filenames, folders, RFC 5987 names and a missing filename', () => {
    const raw = [
      `--${BOUNDARY}`,
      'Content-Disposition: form-data; name="attachments"; filename="C:\\Users\\ada\\my; \\"damp\\" photo.jpg"',
      'Content-Type: image/jpeg',
      '',
      'x',
      `--${BOUNDARY}`,
      `Content-Disposition: form-data; name="attachments"; filename="fallback.pdf"; filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B6d%C3%A9.pdf`,
      '',
      'y',
      `--${BOUNDARY}`,
      'content-disposition: form-data; name=plain',
      '',
      'no filename: a text field',
      `--${BOUNDARY}`,
      'Content-Disposition: form-data; name="attachments"; filename=""',
      'Content-Type: application/octet-stream',
      '',
      '',
      `--${BOUNDARY}--`,
      '',
    ].join('\r\n');
    const form = parseMultipart(Buffer.from(raw, 'utf8'), BOUNDARY);
    expect(form.files.map((f) => f.filename)).toEqual(['my; "damp" photo.jpg', 'Ünïcödé.pdf', '']);
    expect(form.files[1]?.contentType).toBe('application/octet-stream');
    expect(form.files[2]?.bytes).toHaveLength(0);
    expect(form.fields).toEqual({ plain: 'no filename: a text field' });
  });

  it('finds the boundary in the content type, and says when there is none', () => {
    expect(boundaryOf(`multipart/form-data; boundary=${BOUNDARY}`)).toBe(BOUNDARY);
    expect(boundaryOf('Multipart/Form-Data; charset=utf-8; boundary="a b"')).toBe('a b');
    for (const bad of [
      'multipart/form-data',
      'multipart/form-data; boundary=',
      `multipart/form-data; boundary=${'x'.repeat(71)}`,
      'multipart/form-data; boundary="a b "',
      'application/x-www-form-urlencoded',
    ]) {
      expect(() => boundaryOf(bad), bad).toThrow(MultipartError);
    }
    expect(isMultipart(event(Buffer.alloc(0), 'multipart/form-data; boundary=x'))).toBe(true);
    expect(isMultipart(event(Buffer.alloc(0), 'application/x-www-form-urlencoded'))).toBe(false);
  });

  it('refuses malformed bodies with a clear error', () => {
    const good = multipart([{ name: 'a', value: '1' }]).body.toString();
    const cases: Record<string, string> = {
      'the boundary does not appear': 'just some text',
      'closing boundary': good.replace(`--${BOUNDARY}--\r\n`, ''),
      'not followed by a line break': `--${BOUNDARY}garbage\r\n`,
      'no blank line after its headers': `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n--${BOUNDARY}--`,
      'no Content-Disposition': `--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${BOUNDARY}--`,
      'has no name': `--${BOUNDARY}\r\nContent-Disposition: form-data; filename="a.pdf"\r\n\r\nx\r\n--${BOUNDARY}--`,
      'not form-data': `--${BOUNDARY}\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--${BOUNDARY}--`,
      'malformed header': `--${BOUNDARY}\r\nContent-Disposition form-data\r\n\r\nx\r\n--${BOUNDARY}--`,
      'unterminated quoted': `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a\r\n\r\nx\r\n--${BOUNDARY}--`,
    };
    for (const [message, body] of Object.entries(cases)) {
      expect(() => parseMultipart(Buffer.from(body), BOUNDARY), message).toThrow(message);
    }
    const error = (() => {
      try {
        parseMultipart(Buffer.from('nothing'), BOUNDARY);
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(MultipartError);
    expect(error?.message).toMatch(/^The form could not be read \(.+\)\. Go back, check your answers/);
  });

  it('refuses a body with absurdly many parts', () => {
    const parts = Array.from({ length: 201 }, (_, index) => ({ name: `f${index}`, value: 'x' }));
    expect(() => multipartBody(event(multipart(parts).body, multipart([]).contentType))).toThrow(
      'too many parts',
    );
  });
});

describe('attachment checks', () => {
  it('accepts each type by extension and content, with the content type we choose (not the browser’s)', () => {
    const check = checkAttachments([
      file('report.PDF', SAMPLES.pdf),
      file('photo.jpeg', SAMPLES.jpeg),
      file('notes.txt', SAMPLES.txt),
    ]);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.files.map((f) => [f.name, f.safeName, f.contentType])).toEqual([
      ['report.PDF', 'report.pdf', 'application/pdf'],
      ['photo.jpeg', 'photo.jpeg', 'image/jpeg'],
      ['notes.txt', 'notes.txt', 'text/plain; charset=utf-8'],
    ]);
    expect(check.files[0]?.sha256).toBe(createHash('sha256').update(SAMPLES.pdf).digest('hex'));
    expect(checkAttachments([file('letter.docx', SAMPLES.docx), file('p.png', SAMPLES.png)]).ok).toBe(true);
  });

  it('ignores empty file inputs and other fields', () => {
    expect(checkAttachments([file('', new Uint8Array()), file('x.exe', SAMPLES.exe, 'other')])).toEqual({
      ok: true,
      files: [],
    });
  });

  it('refuses the wrong type, a disguised file, too many, too large, empty, and says to choose again', () => {
    const big = new Uint8Array(ATTACHMENT_LIMITS.maxFileBytes + 1);
    big.set(SAMPLES.pdf);
    const half = new Uint8Array(2.1 * 1024 * 1024);
    half.set(SAMPLES.pdf);
    const problems: Array<[MultipartFile[], RegExp]> = [
      [[file('setup.exe', SAMPLES.exe)], /^setup\.exe must be a PDF, JPG, PNG, Word document/],
      [[file('photo.pdf', SAMPLES.png)], /^photo\.pdf is not a PDF: what is in it does not match its name/],
      [[file('letter.docx', SAMPLES.pdf)], /^letter\.docx is not a Word document/],
      [[file('notes.txt', Buffer.from([0x61, 0x00, 0x62]))], /^notes\.txt is not a plain text file/],
      [[file('notes.txt', Buffer.from([0xc3, 0x28]))], /^notes\.txt is not a plain text file/],
      [[file('noextension', SAMPLES.pdf)], /^noextension must be a PDF/],
      [[file('empty.pdf', new Uint8Array())], /^empty\.pdf is empty/],
      [[file('big.pdf', big)], /^big\.pdf must be smaller than 3MB/],
      [[file('a.pdf', half), file('b.pdf', half)], /^The files together must be smaller than 4MB/],
      [[1, 2, 3, 4].map((n) => file(`${n}.pdf`, SAMPLES.pdf)), /^Select up to 3 files/],
    ];
    for (const [files, message] of problems) {
      const check = checkAttachments(files);
      expect(check.ok, String(message)).toBe(false);
      if (check.ok) continue;
      expect(check.message).toMatch(message);
      expect(check.message).toMatch(/Select your files again/);
    }
  });

  it('names files safely for storage, display and download headers', () => {
    expect(safeFileName('Ünïcödé damp photo (1).JPG', '.jpg')).toBe('Unicode-damp-photo-1.jpg');
    expect(safeFileName('../../etc/passwd.txt')).toBe('etc-passwd.txt');
    expect(safeFileName('🏠.png')).toBe('file.png');
    expect(displayName('evil\u202Egnp.exe\r\n')).toBe('evilgnp.exe');
    expect(displayName(`${'a'.repeat(300)}.pdf`)).toMatch(/^a{196}\.pdf$/);
    expect(contentDisposition('my "damp" photo’s.png')).toBe(
      `attachment; filename="my-damp-photo-s.png"; filename*=UTF-8''my%20%22damp%22%20photo%E2%80%99s.png`,
    );
    expect(sizeWords(1)).toBe('1 byte');
    expect(sizeWords(68)).toBe('68 bytes');
    expect(sizeWords(10_240)).toBe('10KB');
    expect(sizeWords(5 * 1024 * 1024)).toBe('5.0MB');
  });
});

describe('attachment storage', () => {
  it('stores under the intake key with the content hash, and a retry writes the same objects', async () => {
    const root = mkdtempSync(join(tmpdir(), 'attachments-unit-'));
    const store = new FolderAttachmentStore(root);
    const check = checkAttachments([file('a.pdf', SAMPLES.pdf), file('b.png', SAMPLES.png)]);
    if (!check.ok) throw new Error(check.message);
    const first = await storeAttachments(store, 'form-key-1234', check.files);
    const again = await storeAttachments(store, 'form-key-1234', check.files);
    expect(again).toEqual(first);
    expect(first[0]?.key).toMatch(/^form-key-1234\/0-[0-9a-f]{16}-a\.pdf$/);
    expect(first[1]).toMatchObject({ name: 'b.png', contentType: 'image/png', size: SAMPLES.png.length });
    expect(
      readdirSync(join(root, 'form-key-1234')).filter((name) => !name.endsWith('.meta.json')),
    ).toHaveLength(2);
    const stored = await store.get(first[1]?.key ?? '');
    expect(stored?.contentType).toBe('image/png');
    expect(Buffer.from(stored?.bytes ?? []).equals(SAMPLES.png)).toBe(true);
    expect(await store.get('form-key-1234/missing.pdf')).toBeUndefined();
  });

  it('keeps keys inside its folder', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'attachments-guard-'));
    const store = new FolderAttachmentStore(join(parent, 'files'));
    for (const key of ['../outside.pdf', '..', '', 'a/../../files-evil/x.pdf', 'a.pdf.meta.json']) {
      await expect(store.put(key, SAMPLES.pdf, 'application/pdf'), key).rejects.toThrow(RangeError);
      await expect(store.get(key), key).rejects.toThrow(RangeError);
    }
  });
});
