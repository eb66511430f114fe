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
import { field, fieldList, formBody } from '#functions/web/http.ts';
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
  it('reads text fields (repeated names as arrays) and files with their bytes, from base64 or text', async () => {
    const { body, contentType } = multipart([
      { name: 'whatHappened', value: 'Line one\r\nLine two: “quotes” 🏠' },
      { name: 'choice', value: 'a' },
      { name: 'choice', value: 'b' },
      { name: 'attachments', filename: 'photo.png', contentType: 'image/png', bytes: SAMPLES.png },
      { name: 'empty', value: '' },
    ]);
    for (const base64 of [true, false]) {
      const form = await multipartBody(event(body, contentType, base64));
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

  it('keeps binary content exactly, including CR, LF and dashes that are not the boundary', async () => {
    const tricky = Buffer.from([0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a, 0x2d, 0x0d]);
    const { body, contentType } = multipart([{ name: 'f', filename: 'x.bin', bytes: tricky }]);
    const [parsed] = (await multipartBody(event(body, contentType))).files;
    expect(Buffer.from(parsed?.bytes ?? []).equals(tricky)).toBe(true);
  });

  it('accepts a preamble, an epilogue and a quoted boundary', async () => {
    const raw = Buffer.from(
      'preamble to ignore\r\n--abc\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue a\r\n--abc\r\nContent-Disposition: form-data; name="b"; filename="b.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--abc--\r\nepilogue',
    );
    const form = await multipartBody(event(raw, 'multipart/form-data; boundary="abc"'));
    expect(form.fields).toEqual({ a: 'value a' });
    expect(form.files[0]).toMatchObject({ filename: 'b.txt', contentType: 'text/plain' });
    expect(Buffer.from(form.files[0]?.bytes ?? []).toString()).toBe('hello');
  });

  it('refuses LF-only line breaks (browsers send CRLF) with a clear error, storing nothing', async () => {
    const raw = Buffer.from(
      '--abc\nContent-Disposition: form-data; name="a"\n\nvalue a\n--abc\nContent-Disposition: form-data; name="b"; filename="b.txt"\n\nhello\n--abc--\n',
    );
    await expect(parseMultipart(raw, 'abc')).rejects.toThrow(
      /^The form could not be read \(it ends before its closing boundary: .*CRLF\)/,
    );
  });

  it('handles quoted and unusual filenames, folders, UTF-8 names and a missing filename', async () => {
    const raw = [
      `--${BOUNDARY}`,
      'Content-Disposition: form-data; name="attachments"; filename="C:\\Users\\ada\\my; \\"damp\\" photo.jpg"',
      'Content-Type: image/jpeg',
      '',
      'x',
      `--${BOUNDARY}`,
      // No Content-Type: RFC 7578 says text/plain, and the attachment checks type it by content anyway.
      `Content-Disposition: form-data; name="attachments"; filename="fallback.pdf"; filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B6d%C3%A9.pdf`,
      '',
      SAMPLES.pdf.toString('latin1'),
      `--${BOUNDARY}`,
      'Content-Disposition: form-data; name="attachments"; filename="Ünïcödé damp.txt"',
      'Content-Type: text/plain',
      '',
      'z',
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
    const form = await parseMultipart(Buffer.from(raw, 'utf8'), BOUNDARY);
    // Browsers send the UTF-8 name in filename; filename* (which they never send) is not read.
    expect(form.files.map((f) => f.filename)).toEqual([
      'my; "damp" photo.jpg',
      'fallback.pdf',
      'Ünïcödé damp.txt',
      '',
    ]);
    expect(form.files[1]?.contentType).toBe('text/plain');
    const check = checkAttachments(form.files.slice(1, 2));
    expect(check.ok && check.files[0]?.contentType).toBe('application/pdf');
    expect(form.files[3]?.bytes).toHaveLength(0);
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
      'multipart/form-data; boundary="abc',
      'application/x-www-form-urlencoded',
    ]) {
      expect(() => boundaryOf(bad), bad).toThrow(MultipartError);
    }
    expect(() => boundaryOf('multipart/form-data; boundary="abc')).toThrow('unterminated quoted');
    expect(isMultipart(event(Buffer.alloc(0), 'multipart/form-data; boundary=x'))).toBe(true);
    expect(isMultipart(event(Buffer.alloc(0), 'application/x-www-form-urlencoded'))).toBe(false);
  });

  it('refuses malformed bodies with a clear error', async () => {
    const good = multipart([{ name: 'a', value: '1' }]).body.toString();
    const cases: Record<string, string> = {
      'the boundary does not appear': 'just some text',
      'closing boundary': good.replace(`--${BOUNDARY}--\r\n`, ''),
      'before its closing boundary': `--${BOUNDARY}garbage\r\n`,
      'has no name': `--${BOUNDARY}\r\nContent-Disposition: form-data; filename="a.pdf"\r\n\r\nx\r\n--${BOUNDARY}--`,
      'a part has no name': `--${BOUNDARY}\r\nContent-Disposition: form-data; name=""\r\n\r\nx\r\n--${BOUNDARY}--`,
    };
    for (const [message, body] of Object.entries(cases)) {
      await expect(parseMultipart(Buffer.from(body), BOUNDARY), message).rejects.toThrow(message);
    }
    const error = await parseMultipart(Buffer.from('nothing'), BOUNDARY).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error).toBeInstanceOf(MultipartError);
    expect(error?.message).toMatch(/^The form could not be read \(.+\)\. Go back, check your answers/);
  });

  it('never stores a part it cannot read as form data (the form then says what is missing)', async () => {
    const unreadable: Record<string, string> = {
      'no blank line after its headers': `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n--${BOUNDARY}--`,
      'no Content-Disposition': `--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${BOUNDARY}--`,
      'not form-data': `--${BOUNDARY}\r\nContent-Disposition: attachment; name="a"; filename="a.pdf"\r\n\r\nx\r\n--${BOUNDARY}--`,
      'malformed header': `--${BOUNDARY}\r\nContent-Disposition form-data\r\n\r\nx\r\n--${BOUNDARY}--`,
    };
    for (const [problem, body] of Object.entries(unreadable)) {
      expect(await parseMultipart(Buffer.from(body), BOUNDARY), problem).toEqual({
        fields: {},
        files: [],
        moreFiles: false,
      });
    }
    // A quote left open in a part's header is read to the end of the line: still one named field.
    const open = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a\r\n\r\nx\r\n--${BOUNDARY}--`;
    expect((await parseMultipart(Buffer.from(open), BOUNDARY)).fields).toEqual({ a: 'x' });
  });

  it('refuses a body with absurdly many parts or fields, saying the limit', async () => {
    const fields = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ name: `f${index}`, value: 'x' }));
    const { contentType } = multipart([]);
    await expect(multipartBody(event(multipart(fields(201)).body, contentType))).rejects.toThrow(
      'too many fields: at most 100',
    );
    await expect(multipartBody(event(multipart(fields(101)).body, contentType))).rejects.toThrow(
      'too many fields: at most 100',
    );
    expect(
      Object.keys((await multipartBody(event(multipart(fields(100)).body, contentType))).fields),
    ).toHaveLength(100);
    // Parts busboy skips still count: a flood of them is refused, not read one by one for ever.
    const unnamed = `--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n`;
    const skipped = `${unnamed.repeat(201)}--${BOUNDARY}--\r\n`;
    await expect(parseMultipart(Buffer.from(skipped), BOUNDARY)).rejects.toThrow(
      'too many parts: at most 200',
    );
  });

  it('refuses an answer too long for any field, saying the limit', async () => {
    const { body, contentType } = multipart([{ name: 'whatHappened', value: 'x'.repeat(64 * 1024 + 1) }]);
    await expect(multipartBody(event(body, contentType))).rejects.toThrow(
      'the answer "whatHappened" is too long: at most 64KB',
    );
  });

  it('stops copying a file at the size limit and skips file parts past the file limit', async () => {
    const big = Buffer.alloc(ATTACHMENT_LIMITS.maxFileBytes + 100_000);
    SAMPLES.pdf.copy(big);
    const { body, contentType } = multipart([
      { name: 'attachments', filename: 'scan.pdf', bytes: big },
      ...[1, 2, 3, 4].map((n) => ({ name: 'attachments', filename: `${n}.png`, bytes: SAMPLES.png })),
    ]);
    const form = await multipartBody(event(body, contentType));
    expect(form.files[0]).toMatchObject({ filename: 'scan.pdf', truncated: true });
    expect(form.files[0]?.bytes.length).toBe(ATTACHMENT_LIMITS.maxFileBytes);
    expect(form.files.map((f) => f.filename)).toEqual(['scan.pdf', '1.png', '2.png', '3.png']);
    expect(form.moreFiles).toBe(true);
    const check = checkAttachments(form.files, form.moreFiles);
    expect(check.ok || check.message).toMatch(/^Select up to 3 files/);
    const alone = checkAttachments(form.files.slice(0, 1));
    expect(alone.ok || alone.message).toMatch(/^scan\.pdf must be smaller than 3MB/);
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

describe('form field names that are Object.prototype properties', () => {
  const names = ['__proto__', '__proto__', 'constructor', 'prototype', 'toString'];
  const check = (fields: Record<string, string | string[]>) => {
    expect(fieldList(fields, '__proto__')).toEqual(['v0', 'v1']);
    expect(field(fields, 'constructor')).toBe('v2');
    expect(field(fields, 'prototype')).toBe('v3');
    expect(field(fields, 'toString')).toBe('v4');
    // Names the body did not carry are absent, not inherited (a function or an array where a string was due).
    expect(field(fields, 'hasOwnProperty')).toBe('');
    expect(field(fields, 'length')).toBe('');
    expect(({} as Record<string, unknown>).v0).toBeUndefined();
  };

  it('are plain fields in a urlencoded body', () => {
    const body = names.map((name, n) => `${name}=v${n}`).join('&');
    check(formBody({ body, isBase64Encoded: false } as unknown as ApiEvent));
  });

  it('are plain fields in a multipart body', async () => {
    const { body } = multipart(names.map((name, n) => ({ name, value: `v${n}` })));
    check((await parseMultipart(body, BOUNDARY)).fields);
  });
});
