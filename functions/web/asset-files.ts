import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** Starts the GOV.UK components where the browser supports them; the pages work without it. */
const INIT_MODULE = "import { initAll } from '/govuk/govuk-frontend.min.js';\ninitAll();\n";

/**
 * Our print rules (every page links them with media="print"): the page content only, no navigation, buttons or
 * local-mode banners (a form's fields print as filled in: the annual report's self-assessment is one); tables and letters kept whole; sections marked app-page-break start a new page.
 */
export const PRINT_CSS = `@page { margin: 15mm; }
.govuk-skip-link, .govuk-service-navigation, .govuk-header, .govuk-footer, .govuk-phase-banner,
[aria-label="Service status"], .govuk-button, .app-no-print { display: none !important; }
.govuk-width-container { max-width: none; margin: 0; }
.govuk-main-wrapper { padding: 0; }
body { font-size: 11pt; }
.govuk-table { page-break-inside: auto; }
.govuk-table tr, .app-keep-together, figure { break-inside: avoid; page-break-inside: avoid; }
.app-page-break { break-before: page; page-break-before: always; }
a.govuk-link[href^="http"]::after { content: " (" attr(href) ")"; }
`;

function frontendRoot(): string {
  // A Lambda bundle has no node_modules: the house function copies the files into govuk/ beside the code.
  // Locally (the sources run unbundled) they come from the package.
  const bundled = join(dirname(fileURLToPath(import.meta.url)), 'govuk');
  if (existsSync(bundled)) return bundled;
  return join(
    dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json')),
    'dist',
    'govuk',
  );
}

const root = frontendRoot();

function notFound(): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not found' };
}

/** A govuk-frontend file by its public path (the init module is ours), or 404; never a file outside the package. */
export async function assetFile(requested: string): Promise<APIGatewayProxyStructuredResultV2> {
  if (requested === '/govuk/print.css') {
    return {
      statusCode: 200,
      headers: { 'content-type': TYPES['.css'] ?? '', 'cache-control': 'public, max-age=3600' },
      body: PRINT_CSS,
    };
  }
  if (requested === '/govuk/init.mjs') {
    return {
      statusCode: 200,
      headers: { 'content-type': TYPES['.mjs'] ?? '', 'cache-control': 'public, max-age=3600' },
      body: INIT_MODULE,
    };
  }
  const relative = requested.startsWith('/assets/')
    ? join('assets', requested.slice('/assets/'.length))
    : requested.slice('/govuk/'.length);
  const path = normalize(join(root, relative));
  if (!path.startsWith(`${root}/`) || relative.includes('\0')) return notFound();
  const type = TYPES[extname(path)];
  if (!type) return notFound();
  try {
    const content = await readFile(path);
    return {
      statusCode: 200,
      headers: {
        'content-type': type,
        'cache-control': 'public, max-age=86400',
        'x-content-type-options': 'nosniff',
      },
      body: content.toString('base64'),
      isBase64Encoded: true,
    };
  } catch {
    return notFound();
  }
}
