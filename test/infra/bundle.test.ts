import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { html } from '#functions/web/ui/html.ts';
import { layout } from '#functions/web/ui/layout.ts';
import { loadProfile } from '#shared/policy/load-profile.ts';
import { buildApp } from '../../infra/app.ts';
import { POWERTOOLS_LAYER } from '../../infra/constructs/house-function.ts';

/**
 * The deployed artifact, run the way Lambda runs it: the web-assets bundle from cdk.out, copied where no
 * node_modules can be found above it, imported by a fresh Node process and invoked with HTTP API v2 events.
 */

const PROVIDER = 'code-baseline';

function synthesiseAssetsBundle(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-bundle-'));
  const built = buildApp({ provider: PROVIDER, outdir });
  const assembly = built.app.synth();
  const template = assembly.getStackByName(built.workflow.stackName).template as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const fn = Object.values(template.Resources).find(
    (resource) =>
      resource.Type === 'AWS::Lambda::Function' &&
      String(resource.Properties.FunctionName).endsWith('-web-assets'),
  );
  // The default synthesiser names the zip after the asset's hash, and cdk.out holds it as asset.<hash>/.
  const key = (fn?.Properties.Code as { S3Key?: unknown } | undefined)?.S3Key;
  const hash = typeof key === 'string' ? /^([0-9a-f]{64})\.zip$/.exec(key)?.[1] : undefined;
  if (!hash) throw new Error(`the web-assets function's code is not a bundled asset: ${JSON.stringify(key)}`);
  return join(outdir, `asset.${hash}`);
}

function noNodeModulesAbove(dir: string): boolean {
  for (let current = dirname(dir); ; current = dirname(current)) {
    if (existsSync(join(current, 'node_modules'))) return false;
    if (dirname(current) === current) return true;
  }
}

/**
 * What the Powertools layer puts on Lambda's module path (ADR 0011), which the stacks attach only with the tracer
 * on (`-c traceSdkCalls=true`, ADR 0015): its packages and their dependencies,
 * copied flat from this repository's node_modules (the locked versions, which the layer's version matches).
 * Node does not search NODE_PATH for ES modules outside Lambda, so they go in the bundle's own node_modules.
 */
function copyLayerPackages(into: string): void {
  const modules = new URL('../../node_modules/', import.meta.url).pathname;
  const pending: string[] = [...POWERTOOLS_LAYER.packages];
  const copied = new Set<string>();
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (copied.has(name)) continue;
    copied.add(name);
    const from = realpathSync(join(modules, name));
    cpSync(from, join(into, 'node_modules', name), { recursive: true, dereference: true });
    const { dependencies = {} } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    // A dependency nested under the package came with it; the others sit beside it, as in the layer.
    pending.push(...Object.keys(dependencies).filter((dep) => !existsSync(join(from, 'node_modules', dep))));
  }
}

/** Every /govuk/ and /assets/ URL a resident page and a staff page reference. */
function layoutAssetUrls(): string[] {
  const profile = loadProfile(PROVIDER);
  const pages = [
    layout({ title: 'Resident', profile, body: html`<p>x</p>` }),
    layout({
      title: 'Staff',
      profile,
      body: html`<p>x</p>`,
      staff: { name: 'Hannah', role: 'handler', now: new Date(), signOutPath: '/staff/sign-out' },
    }),
  ];
  const urls = new Set<string>();
  for (const page of pages) {
    for (const [, url] of page.value.matchAll(/(?:href|src)="(\/(?:govuk|assets)\/[^"]+)"/g)) {
      if (url) urls.add(url);
    }
  }
  return [...urls];
}

interface Answer {
  url: string;
  statusCode: number;
  contentType?: string;
  body: string;
}

/** Invokes the bundled handler in a fresh `node` whose working directory is the copied bundle. */
async function invokeBundled(
  dir: string,
  urls: string[],
  environment: Record<string, string> = {},
): Promise<Answer[]> {
  const driver = join(dir, 'invoke-test-driver.mjs');
  writeFileSync(
    driver,
    `import { handler } from './index.mjs';
const answers = [];
for (const url of JSON.parse(process.argv[2])) {
  const prefix = url.startsWith('/govuk/') ? '/govuk' : '/assets';
  const event = {
    version: '2.0', routeKey: 'GET ' + prefix + '/{proxy+}', rawPath: url, rawQueryString: '',
    headers: { host: 'example.execute-api.eu-west-2.amazonaws.com', accept: '*/*' },
    pathParameters: { proxy: url.slice(prefix.length + 1) }, isBase64Encoded: false,
    requestContext: { accountId: '123456789012', apiId: 'example', domainName: 'example.execute-api.eu-west-2.amazonaws.com',
      domainPrefix: 'example', http: { method: 'GET', path: url, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'r', routeKey: 'GET ' + prefix + '/{proxy+}', stage: '$default', time: '', timeEpoch: 0 },
  };
  const result = await handler(event, { awsRequestId: 'r', functionName: 'web-assets', getRemainingTimeInMillis: () => 30000 });
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
  answers.push({ url, statusCode: result.statusCode, contentType: result.headers?.['content-type'], body });
}
process.stdout.write(JSON.stringify(answers));
`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, [driver, JSON.stringify(urls)], {
    cwd: dir,
    env: { PATH: process.env.PATH, NODE_PATH: '', AWS_REGION: 'eu-west-2', TZ: 'UTC', ...environment },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Answer[];
}

const EXPECTED_TYPE: Record<string, RegExp> = {
  '.css': /^text\/css/,
  '.js': /^text\/javascript/,
  '.mjs': /^text\/javascript/,
  '.woff2': /^font\/woff2$/,
  '.woff': /^font\/woff$/,
  '.svg': /^image\/svg\+xml$/,
  '.png': /^image\/png$/,
  '.ico': /^image\/x-icon$/,
  '.json': /^application\/json/,
};

describe('the deployed web-assets bundle', () => {
  const bundle = synthesiseAssetsBundle();
  const dir = join(mkdtempSync(join(tmpdir(), 'lambda-task-')), 'task');
  cpSync(bundle, dir, { recursive: true });

  it('is tested where Lambda runs it: no node_modules anywhere above the copied bundle', () => {
    expect(noNodeModulesAbove(dir)).toBe(true);
    expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
    // The tracer is the layer's, not the bundle's, and imported only when TRACE_SDK_CALLS is set.
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code).toMatch(/import\("@aws-lambda-powertools\/tracer"\)/);
    expect(code).not.toMatch(/from\s*"@aws-lambda-powertools\/tracer"/);
  });

  it('with the tracer on, loads it from the layer and still answers', async () => {
    const traced = join(mkdtempSync(join(tmpdir(), 'lambda-task-')), 'task');
    cpSync(bundle, traced, { recursive: true });
    copyLayerPackages(traced);
    const answers = await invokeBundled(traced, ['/govuk/govuk-frontend.min.css'], {
      TRACE_SDK_CALLS: 'true',
    });
    expect(answers.map(({ statusCode }) => statusCode)).toEqual([200]);
    // Without the layer the same import fails: the default deployment (no layer) must not make it.
    await expect(
      invokeBundled(dir, ['/govuk/govuk-frontend.min.css'], { TRACE_SDK_CALLS: 'true' }),
    ).rejects.toThrow(/@aws-lambda-powertools\/tracer/);
  });

  it('answers 200 with the right content type for every asset the layout, its CSS and its scripts reference', async () => {
    const pageUrls = layoutAssetUrls();
    expect(pageUrls).toEqual(
      expect.arrayContaining([
        '/govuk/govuk-frontend.min.css',
        '/govuk/init.mjs',
        '/assets/images/favicon.ico',
      ]),
    );
    const first = await invokeBundled(dir, pageUrls);
    // What the stylesheet and the module script load in turn: fonts, the crest, the components' module.
    const nested = new Set<string>();
    for (const answer of first) {
      for (const [, url] of answer.body.matchAll(/url\((\/assets\/[^)]+)\)/g)) if (url) nested.add(url);
      for (const [, url] of answer.body.matchAll(/from '(\/govuk\/[^']+)'/g)) if (url) nested.add(url);
    }
    expect([...nested]).toEqual(
      expect.arrayContaining(['/govuk/govuk-frontend.min.js', '/assets/images/govuk-crest.svg']),
    );
    expect([...nested].filter((url) => url.includes('/fonts/'))).toHaveLength(4);
    const answers = [...first, ...(await invokeBundled(dir, [...nested]))];
    for (const answer of answers) {
      const extension = /\.[a-z0-9]+$/.exec(answer.url)?.[0] ?? '';
      expect({ url: answer.url, status: answer.statusCode }).toEqual({ url: answer.url, status: 200 });
      expect(answer.contentType, answer.url).toMatch(EXPECTED_TYPE[extension] ?? /^$/);
    }
  });

  it('serves nothing outside the copied govuk-frontend files', async () => {
    const answers = await invokeBundled(dir, [
      '/govuk/../index.mjs',
      '/assets/../../provider-profile.json',
      '/govuk/components/button/fixtures.json',
    ]);
    for (const answer of answers) expect(answer.statusCode, answer.url).toBe(404);
  });
});
