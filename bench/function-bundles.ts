/**
 * Every Lambda function built as the CDK builds it (infra/constructs/house-function.ts: esbuild, minified ESM
 * for the Lambda runtime, the createRequire banner), for bench:bundles and the bundle size test.
 */
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { ALL_ROUTES, PAGE_FUNCTIONS, type RouteDefinition } from '../functions/routes.ts';
import {
  ESBUILD_TARGET,
  HOUSE_FUNCTION_BUNDLING,
  POWERTOOLS_LAYER,
} from '../infra/constructs/house-function.ts';

/** The target in issue 12. */
export const BUNDLE_LIMIT_BYTES = 300 * 1024;

export const ROOT = new URL('../', import.meta.url).pathname;

/**
 * Every function the stacks build, by the module under functions/ each one bundles (as infra/constructs do),
 * with the export Lambda calls and, for an HTTP function, the route bench:bundles sends its first request to
 * (a page function's first GET).
 */
export function functionModules(): Array<{
  name: string;
  module: string;
  exportName: string;
  route?: RouteDefinition;
}> {
  const fromRoutes = new Map<string, { module: string; exportName: string; route: RouteDefinition }>();
  for (const route of ALL_ROUTES) {
    const page = PAGE_FUNCTIONS[route.module];
    const name =
      route.access === 'asset'
        ? 'web-assets'
        : page
          ? page.name
          : `${route.module.split('/').at(-1)}-${route.exportName.replace(/Handler$/, '')}`.toLowerCase();
    const first = fromRoutes.get(name);
    if (first && (first.route.method === 'GET' || route.method !== 'GET')) continue;
    fromRoutes.set(name, {
      module: route.access === 'asset' ? 'web/assets' : page ? page.entry : route.module,
      exportName: page ? 'handler' : route.exportName,
      route,
    });
  }
  return [
    ...[...fromRoutes].map(([name, entry]) => ({ name, ...entry })),
    ...[
      'record-receipt',
      'send-notifications',
      'register-task',
      'check-deadline',
      'close-case',
      'send-digest',
      'retention',
      'report-months',
    ].map((name) => ({ name, module: `workflow/${name}`, exportName: 'handler' })),
    { name: 'ses-events', module: 'email/ses-events', exportName: 'handler' },
    { name: 'email-intake', module: 'email/intake', exportName: 'handler' },
  ];
}

/**
 * `external`: the AWS SDK is left to the Lambda runtime's copy (what the stacks deploy, ADR 0010); `bundled`:
 * the locked SDK is bundled into each function, for the comparison in that ADR. Either way the tracer is
 * left to the Powertools layer (ADR 0011).
 */
export type SdkMode = 'external' | 'bundled';

/** esbuild's options for one function; `outfile` undefined builds in memory. */
export function functionBuildOptions(
  entry: { file: string } | { contents: string },
  options: { sdk: SdkMode; outfile?: string },
): BuildOptions {
  return {
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: 'ts' } }),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ESBUILD_TARGET,
    minify: true,
    sourcemap: options.outfile !== undefined,
    ...(options.outfile ? { outfile: options.outfile } : { write: false, outfile: 'index.mjs' }),
    external:
      options.sdk === 'external'
        ? [...HOUSE_FUNCTION_BUNDLING.externalModules]
        : [...POWERTOOLS_LAYER.packages],
    banner: { js: HOUSE_FUNCTION_BUNDLING.banner },
    legalComments: HOUSE_FUNCTION_BUNDLING.legalComments,
    logLevel: 'error',
  };
}

/** One function's bundle: its minified size and the source files esbuild put in it. */
export interface BundleContents {
  bytes: number;
  /**
   * Each source file esbuild put in it, by its path relative to the repository (node_modules/… for packages),
   * with the bytes it takes in the minified output.
   */
  inputs: Map<string, number>;
  /** The packages left out of the bundle (the AWS SDK, the layer's) that it imports at init, not on first use. */
  importsAtInit: string[];
}

/**
 * Each function's index.mjs (source map apart), built in memory. Functions built from the same module (one
 * per route export) share one build: the bundle is the same.
 */
export async function bundleContents(sdk: SdkMode = 'external'): Promise<Map<string, BundleContents>> {
  const functions = functionModules();
  const modules = [...new Set(functions.map(({ module }) => module))];
  const built = new Map(
    await Promise.all(
      modules.map(async (module) => {
        const result = await build({
          ...functionBuildOptions({ file: join(ROOT, 'functions', `${module}.ts`) }, { sdk }),
          metafile: true,
        });
        const output = Object.values(result.metafile?.outputs ?? {})[0];
        const contents: BundleContents = {
          bytes: result.outputFiles?.[0]?.contents.byteLength ?? 0,
          inputs: new Map(
            Object.entries(output?.inputs ?? {}).map(([path, { bytesInOutput }]) => [
              // The worktrees share one node_modules, which esbuild names by its real path.
              path.replace(/^(\.\.\/)+main\//, ''),
              bytesInOutput,
            ]),
          ),
          importsAtInit: [
            ...new Set(
              (output?.imports ?? [])
                .filter((entry) => entry.external && entry.kind === 'import-statement')
                .map((entry) => entry.path),
            ),
          ].sort(),
        };
        return [module, contents] as const;
      }),
    ),
  );
  return new Map(
    functions.map(({ name, module }) => [
      name,
      built.get(module) ?? { bytes: 0, inputs: new Map(), importsAtInit: [] },
    ]),
  );
}

/**
 * What a bundle is made of: its bytes by package (node_modules) or by source folder (two levels, e.g.
 * shared/domain), largest first.
 */
export function bundleMakeup(contents: BundleContents): Array<{ part: string; bytes: number }> {
  const parts = new Map<string, number>();
  for (const [path, bytes] of contents.inputs) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const part = name ?? path.split('/').slice(0, 2).join('/');
    parts.set(part, (parts.get(part) ?? 0) + bytes);
  }
  return [...parts].map(([part, bytes]) => ({ part, bytes })).sort((a, b) => b.bytes - a.bytes);
}
