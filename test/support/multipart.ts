/** Builds multipart/form-data bodies as a browser sends them (CRLF line breaks), for tests. */

export interface Part {
  name: string;
  /** A text field. */
  value?: string;
  /** A file part (an empty string is a file input with no file chosen). */
  filename?: string;
  contentType?: string;
  bytes?: Uint8Array | string;
}

export const BOUNDARY = '----WebKitFormBoundary7MA4YWxkTrZu0gW';

export function multipart(
  parts: readonly Part[],
  boundary = BOUNDARY,
): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) {
      head += `; filename="${part.filename}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}`;
    }
    chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'));
    const content = part.filename !== undefined ? (part.bytes ?? '') : (part.value ?? '');
    chunks.push(typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The form's text fields as parts, in order. */
export function fieldParts(fields: Record<string, string>): Part[] {
  return Object.entries(fields).map(([name, value]) => ({ name, value }));
}

/** Small files that really are what they say (magic bytes), for the accepted types. */
export const SAMPLES = {
  pdf: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  // A 1x1 transparent PNG.
  png: Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
  jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]),
  docx: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]),
  txt: Buffer.from('Repairs log: 3 March, 10 March, 17 March. Nobody came. 🏠\n', 'utf8'),
  exe: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]),
};
