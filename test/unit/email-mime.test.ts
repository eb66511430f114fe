import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEmail } from '#shared/adapters/mime.ts';

/**
 * The MIME adapter on hand-written messages: what the fixtures in test/fixtures/email (read end to end in
 * test/workflow/email-intake.test.ts) do not show. Bytes are written as latin1 strings, one char per byte.
 */
const RECEIVED = '2026-03-02T10:00:00.000Z';
const parse = (message: string) =>
  parseEmail(Buffer.from(message.replace(/\n/g, '\r\n'), 'latin1'), RECEIVED);
const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('charsets', () => {
  it("decodes Windows-1252's quotes, dashes and euro sign in the body, the subject and a display name", async () => {
    const email = await parse(
      [
        'From: =?windows-1252?Q?Dan_=93Dee=94_Okafor?= <dan@resident.example>',
        'Subject: =?windows-1252?Q?=80_charged_=96_twice?=',
        'Content-Type: text/plain; charset=windows-1252',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        '=93repair=94 =96 =80 =A3',
      ].join('\n'),
    );
    expect(email.from).toEqual({ address: 'dan@resident.example', name: 'Dan “Dee” Okafor' });
    expect(email.subject).toBe('€ charged – twice');
    expect(email.text).toBe('“repair” – € £');
  });

  it('reads ISO-8859-1 as the Encoding Standard does (Windows-1252), and ISO-8859-2 and KOI8-R by their tables', async () => {
    const body = (charset: string, bytes: string) =>
      parse(`From: a@resident.example\nContent-Type: text/plain; charset="${charset}"\n\n${bytes}`);
    expect((await body('ISO-8859-1', 'Chlo\xe9 \x93quoted\x94')).text).toBe('Chloé “quoted”');
    expect((await body('iso-8859-2', 'Zaj\xb1c')).text).toBe('Zając');
    expect((await body('koi8-r', '\xf0\xd2\xc9\xd7\xc5\xd4')).text).toBe('Привет');
  });

  it('text that declares no charset, or one nobody knows, is UTF-8, else Windows-1252', async () => {
    expect((await parse(`From: a@resident.example\n\n${utf8('naïve café – ok')}`)).text).toBe(
      'naïve café – ok',
    );
    expect((await parse('From: a@resident.example\n\nna\xefve caf\xe9 \x96 ok')).text).toBe(
      'naïve café – ok',
    );
    const unknown = 'From: a@resident.example\nContent-Type: text/plain; charset=x-unheard-of\n\n';
    expect((await parse(`${unknown}${utf8('Siân')}`)).text).toBe('Siân');
    // Raw 8-bit header text (RFC 6532) is read the same way.
    expect(
      (await parse(`From: ${utf8('Siân Jones')} <sian@resident.example>\nSubject: caf\xe9\n\nx`)).from,
    ).toEqual({
      address: 'sian@resident.example',
      name: 'Siân Jones',
    });
  });
});

describe('transfer encodings', () => {
  it('quoted-printable: soft line breaks joined, a space before one kept, transport padding dropped', async () => {
    const email = await parse(
      [
        'From: a@resident.example',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'The boiler =',
        'has been broken=',
        ' for three weeks.   ',
        'Caf=C3=A9 =3D fine',
        'odd =ZZ and = alone =',
        '',
      ].join('\n'),
    );
    expect(email.text).toBe('The boiler has been broken for three weeks.\nCafé = fine\nodd =ZZ and = alone');
  });

  it('base64 over several lines, in a text part and an attachment, byte for byte', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(300, 0xa7)]);
    const lines = pdf.toString('base64').match(/.{1,76}/g) ?? [];
    const email = await parse(
      [
        'From: a@resident.example',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from("Mae'r ffenestr wedi torri 🙁").toString('base64'),
        '--b1',
        'Content-Type: application/pdf; name="letter.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        ...lines,
        '--b1--',
      ].join('\n'),
    );
    expect(email.text).toBe("Mae'r ffenestr wedi torri 🙁");
    expect(email.attachments).toHaveLength(1);
    const [file] = email.attachments;
    expect(file?.filename).toBe('letter.pdf');
    expect(file?.contentType).toBe('application/pdf');
    expect(
      createHash('sha256')
        .update(file?.bytes ?? new Uint8Array())
        .digest('hex'),
    ).toBe(createHash('sha256').update(pdf).digest('hex'));
  });
});

describe('structure', () => {
  it("takes the plain version of an alternative, keeps a related part's image as an attachment, and names files by RFC 2231", async () => {
    const email = await parse(
      [
        'From: Fay <fay@resident.example>',
        'Subject: Photos',
        'Content-Type: multipart/mixed; boundary=outer',
        '',
        'This is a multi-part message in MIME format.',
        '--outer',
        'Content-Type: multipart/alternative; boundary="alt"',
        '',
        '--alt',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'See the photo.',
        '--alt',
        'Content-Type: multipart/related; boundary="rel"',
        '',
        '--rel',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>See the <b>photo</b>.</p><img src="cid:p1">',
        '--rel',
        'Content-Type: image/png',
        'Content-ID: <p1>',
        'Content-Disposition: inline; filename="inline.png"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64'),
        '--rel--',
        '--alt--',
        '--outer',
        'Content-Type: application/pdf',
        "Content-Disposition: attachment; filename*0*=utf-8''%C3%A9t%C3%A9%20;",
        ' filename*1="report.pdf"',
        '',
        '%PDF-1.4',
        '--outer',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Disposition: attachment; filename="=?utf-8?B?bm90ZXMg4oCTIDEudHh0?="',
        '',
        'my notes',
        '--outer--',
        'an epilogue nobody reads',
      ].join('\n'),
    );
    expect(email.mimeType).toBe('multipart/mixed');
    expect(email.text).toBe('See the photo.');
    expect(email.attachments.map((file) => [file.filename, file.contentType, file.bytes.length])).toEqual([
      ['inline.png', 'image/png', 4],
      ['été report.pdf', 'application/pdf', 8],
      ['notes – 1.txt', 'text/plain', 8],
    ]);
  });

  it('joins the inline text parts of a mixed message in order, an HTML one as text', async () => {
    const email = await parse(
      [
        'From: a@resident.example',
        'Content-Type: multipart/mixed; boundary="m"',
        '',
        '--m',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<div>First part</div>',
        '--m',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Disposition: inline',
        '',
        'Second part',
        '--m--',
      ].join('\n'),
    );
    expect(email.text).toBe('First part\nSecond part');
    expect(email.attachments).toEqual([]);
  });

  it('reads a forwarded message/rfc822 part as its headers and its text, and keeps its files', async () => {
    const email = await parse(
      [
        'From: Olly <olly.officer@landlord.example>',
        'Content-Type: multipart/mixed; boundary="f"',
        '',
        '--f',
        'Content-Type: text/plain',
        '',
        'Forwarding this one.',
        '--f',
        'Content-Type: message/rfc822',
        '',
        'From: Eve Tenant <eve@resident.example>',
        'Subject: =?utf-8?Q?Front_door_=E2=80=93_lock?=',
        'Content-Type: multipart/mixed; boundary="g"',
        '',
        '--g',
        'Content-Type: text/plain',
        '',
        'The lock has been broken since January.',
        '--g',
        'Content-Type: image/jpeg; name=door.jpg',
        '',
        '\xff\xd8\xff',
        '--g--',
        '--f--',
      ].join('\n'),
    );
    expect(email.text).toBe(
      'Forwarding this one.\n\nFrom: Eve Tenant <eve@resident.example>\nSubject: Front door – lock\n\nThe lock has been broken since January.',
    );
    expect(email.attachments.map((file) => [file.filename, [...file.bytes]])).toEqual([
      ['door.jpg', [0xff, 0xd8, 0xff]],
    ]);
  });

  it('a delivery status report reads as text, with the multipart/report type', async () => {
    const email = await parse(
      [
        'From: MAILER-DAEMON@mail.resident.example',
        'Content-Type: multipart/report; report-type=delivery-status; boundary=r',
        '',
        '--r',
        'Content-Type: text/plain',
        '',
        'Could not be delivered.',
        '--r',
        'Content-Type: message/delivery-status',
        '',
        'Status: 5.1.1',
        '--r--',
      ].join('\n'),
    );
    expect(email.mimeType).toBe('multipart/report');
    expect(email.text).toBe('Could not be delivered.\nStatus: 5.1.1');
    expect(email.attachments).toEqual([]);
  });

  it('a multipart nested deeper than anyone writes is not read, and the message still parses', async () => {
    const depth = 200;
    const open = Array.from(
      { length: depth },
      (_, n) => `Content-Type: multipart/mixed; boundary="d${n}"\n\n--d${n}\n`,
    );
    const close = Array.from({ length: depth }, (_, n) => `\n--d${depth - 1 - n}--`);
    const email = await parse(`From: a@resident.example\n${open.join('')}\nburied text${close.join('')}`);
    expect(email.text).toBe('');
    expect(email.from).toEqual({ address: 'a@resident.example' });
  });

  it('a message with more parts than the limit parses, its first 999 parts read and the rest not', async () => {
    // The message itself is the first of the 1,000 parts read (docs/email.md, "Limits").
    const attachment = (n: number) =>
      `--p\nContent-Type: text/plain\nContent-Disposition: attachment; filename="${n}.txt"\n\nfile ${n}\n`;
    const files = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, n) => attachment(from + n)).join('');
    const inline = (text: string) => `--p\nContent-Type: text/plain\n\n${text}\n`;
    const message = (body: string) =>
      parse(`From: a@resident.example\nContent-Type: multipart/mixed; boundary="p"\n\n${body}--p--\n`);

    const over = await message(`${inline('read')}${files(2, 1200)}${inline('never read')}`);
    expect(over.from).toEqual({ address: 'a@resident.example' });
    expect(over.text).toBe('read');
    expect(over.attachments.map((file) => file.filename)).toEqual(
      Array.from({ length: 998 }, (_, n) => `${n + 2}.txt`),
    );
    // At the limit nothing is left out.
    const at = await message(`${inline('read')}${files(2, 998)}${inline('also read')}`);
    expect(at.text).toBe('read\nalso read');
    expect(at.attachments).toHaveLength(997);
  });
});

describe('hostile input', () => {
  // Each of these took one of the adapter's first patterns quadratic time: minutes at this length.
  it('long runs of quotes, tags, links, parameters and whitespace parse, and parse as written', async () => {
    const n = 100_000;
    const email = await parse(
      [
        'From: a@resident.example',
        `Content-Type: text/plain; charset=utf-8; x="${'\\"'.repeat(n)}`,
        'Content-Transfer-Encoding: quoted-printable',
        '',
        `a${' \t'.repeat(n)}b${' '.repeat(n)}`,
      ].join('\n'),
    );
    expect(email.text).toBe(`a${' \t'.repeat(n)}b`);
    const html = await parse(
      `From: a@resident.example\nContent-Type: text/html\n\n${'<'.repeat(n)}${'<a '.repeat(n)}x`,
    );
    expect(html.text).toBe(`${'<'.repeat(n)}${'<a '.repeat(n - 1)}<a x`.replace(/ +/g, ' '));
  });
});

describe('hostile parameters', () => {
  // A lazy match before trailing blanks took time quadratic in the blanks inside one value: about 7 s at
  // 100,000 on a loaded machine, and a message may carry many such parts.
  it('a parameter value with a long run of blanks inside parses, its value as written', async () => {
    const blanks = ' \t'.repeat(100_000);
    const email = await parse(
      [
        'From: a@resident.example',
        'Content-Type: multipart/mixed; boundary=b',
        '',
        '--b',
        `Content-Type: text/plain; x=a${blanks}b`,
        '',
        'Hello',
        '--b',
        `Content-Type: application/octet-stream; name="n${blanks}m.bin"`,
        `Content-Disposition: attachment; filename="a${blanks}b.txt"`,
        '',
        'data',
        '--b--',
      ].join('\n'),
    );
    expect(email.text).toBe('Hello');
    expect(email.attachments.map((file) => file.filename)).toEqual([`a${blanks}b.txt`]);
  });
});

describe('headers', () => {
  it('addresses with groups and encoded names; ids without brackets, In-Reply-To then References newest first', async () => {
    const email = await parse(
      [
        'Received: from mx.example by inbound-smtp',
        ' for complaints@landlord.example;',
        'From: "Resident, Ada" <ada@resident.example>',
        'To: Housing: =?utf-8?B?U2nDom4=?= <sian@resident.example>, complaints@landlord.example;',
        'Cc: neighbour@resident.example',
        'Message-ID: <m2@resident.example>',
        'In-Reply-To: <sent-1@landlord.example>',
        'References: <first@resident.example>',
        ' <sent-1@landlord.example>',
        'Subject: =?utf-8?Q?Re:_boiler?=',
        '  =?utf-8?Q?_still_broken?=',
        '',
        'Yes.',
      ].join('\n'),
    );
    expect(email.from).toEqual({ address: 'ada@resident.example', name: 'Resident, Ada' });
    expect(email.to).toEqual([
      { address: 'sian@resident.example', name: 'Siân' },
      { address: 'complaints@landlord.example' },
    ]);
    expect(email.cc).toEqual([{ address: 'neighbour@resident.example' }]);
    expect(email.messageId).toBe('m2@resident.example');
    expect(email.referencedIds).toEqual([
      'sent-1@landlord.example',
      'sent-1@landlord.example',
      'first@resident.example',
    ]);
    expect(email.subject).toBe('Re: boiler still broken');
    expect(email.headers[0]).toEqual({
      name: 'received',
      value: 'from mx.example by inbound-smtp for complaints@landlord.example;',
    });
    expect(email.mimeType).toBe('text/plain');
    expect(email.receivedAt).toBe(RECEIVED);
  });

  it('a message without a Message-ID is known by its hash', async () => {
    const raw = 'From: a@resident.example\r\n\r\nHello';
    const email = await parseEmail(Buffer.from(raw), RECEIVED);
    expect(email.messageId).toBe(`sha256-${createHash('sha256').update(raw).digest('hex')}`);
    expect(email.text).toBe('Hello');
  });
});

describe('an HTML-only body', () => {
  it('is its words and paragraphs, with link addresses, list bullets and entities decoded', async () => {
    const email = await parse(
      [
        'From: a@resident.example',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<!DOCTYPE html><html><head><title>Ignored</title><style>p{color:red}</style></head><body>',
        '<!-- a comment -->',
        '<p>Caf&eacute; &amp; d&eacute;j&agrave; vu &ndash; &#8220;damp&#x201D; &pound;85&nbsp;owed &madeup;</p>',
        '<p>See <a href="https://photos.example/1">my photos</a> or <a href="mailto:x@y.example">x@y.example</a>.</p>',
        '<ul><li>Mould</li><li>Leak</li></ul>',
        '<table><tr><td>Room</td><td>Bedroom</td></tr></table>',
        '<script>alert(1)</script><noscript>enable js</noscript>',
        '</body></html>',
      ].join('\n'),
    );
    expect(email.text).toBe(
      [
        'Café & déjà vu – “damp” £85 owed &madeup;',
        '',
        'See my photos [https://photos.example/1] or x@y.example.',
        '',
        '* Mould',
        '* Leak',
        '',
        'Room Bedroom',
      ].join('\n'),
    );
  });
});
