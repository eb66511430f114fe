import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STATUS } from '#functions/lib/errors.ts';
import { ROUTES } from '#functions/routes.ts';
import { START_OPTIONS, SUBCOMMAND_USAGE } from '../../infra/local/cli.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

type Operation = {
  security?: Array<Record<string, unknown>>;
  parameters?: Array<{ $ref?: string; name?: string; in?: string }>;
  requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> };
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

const openapi = parse(read('docs/openapi.yaml')) as {
  openapi: string;
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: Record<string, Record<string, unknown>>;
};
const documented = Object.entries(openapi.paths).flatMap(([path, item]) =>
  METHODS.filter((method) => item[method]).map((method) => `${method.toUpperCase()} ${path}`),
);
const operation = (method: string, path: string): Operation => {
  const found = openapi.paths[path]?.[method.toLowerCase() as (typeof METHODS)[number]];
  if (!found) throw new Error(`${method} ${path} is not in docs/openapi.yaml`);
  return found;
};
const parameterNames = (op: Operation) =>
  (op.parameters ?? []).map((parameter) =>
    parameter.$ref
      ? (
          openapi.components.parameters?.[parameter.$ref.split('/').pop() ?? ''] as
            | { name?: string }
            | undefined
        )?.name
      : parameter.name,
  );

describe('docs/openapi.yaml', () => {
  it('is OpenAPI 3.1', () => {
    expect(openapi.openapi).toMatch(/^3\.1\./);
  });

  it('documents every route in functions/routes.ts with its method', () => {
    for (const route of ROUTES) expect(documented).toContain(`${route.method} ${route.path}`);
  });

  it('documents no route that functions/routes.ts does not have', () => {
    const routes = ROUTES.map((route) => `${route.method} ${route.path}`);
    for (const entry of documented) expect(routes).toContain(entry);
    expect(documented).toHaveLength(routes.length);
  });

  it('puts the JWT on staff routes only, and the idempotency key on both intake routes', () => {
    for (const route of ROUTES) {
      const op = operation(route.method, route.path);
      const schemes = (op.security ?? []).flatMap((requirement) => Object.keys(requirement));
      expect(schemes, `${route.method} ${route.path}`).toEqual(
        route.access === 'staff' ? ['cognitoJwt'] : [],
      );
      if (route.module === 'api/submit-complaint') expect(parameterNames(op)).toContain('Idempotency-Key');
      if (route.module === 'api/resident') expect(parameterNames(op)).toContain('token');
    }
  });

  it('resolves every $ref', () => {
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value);
          else walk(value);
        }
      }
    };
    walk(openapi);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const [hash, components, section, name] = ref.split('/');
      expect([hash, components], ref).toEqual(['#', 'components']);
      expect(openapi.components[section as string]?.[name as string], ref).toBeDefined();
    }
  });
});

describe('docs/state-machine.md', () => {
  it('names every state of statemachines/complaint.asl.json in the diagram', () => {
    const asl = JSON.parse(read('statemachines/complaint.asl.json')) as { States: Record<string, unknown> };
    const doc = read('docs/state-machine.md');
    for (const name of Object.keys(asl.States)) {
      expect(doc, name).toContain(`state "${name}" as `);
    }
  });
});

describe('README', () => {
  const flags = (text: string) =>
    [...new Set([...text.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]))].sort();

  it('lists exactly the options npm start accepts and its --help prints', () => {
    const options = read('README.md').match(/^Options \(`npm start -- --help`[\s\S]*?\n\n/m)?.[0];
    expect(options, "README's npm start options paragraph").toBeDefined();
    const accepted = Object.keys(START_OPTIONS).sort();
    expect(flags(options ?? '').filter((flag) => flag !== 'help')).toEqual(accepted);
    expect(flags(SUBCOMMAND_USAGE.start)).toEqual(accepted);
  });
});

describe('docs/api.md', () => {
  const api = read('docs/api.md');
  const rows = (header: RegExp) => {
    const start = api.search(header);
    expect(start, String(header)).toBeGreaterThanOrEqual(0);
    const lines = api.slice(start).split('\n');
    const end = lines.findIndex((line) => !line.startsWith('|'));
    return lines
      .slice(2, end === -1 ? undefined : end)
      .map((line) => line.split('|').map((cell) => cell.trim()));
  };

  it('lists every JSON route of functions/routes.ts in its route table', () => {
    const listed = rows(/^\| method \| path/m).map(
      ([, method, path]) => `${method} ${path?.replace(/`|\?.*$/g, '')}`,
    );
    for (const route of ROUTES.filter((route) => route.access === 'public' || route.access === 'staff')) {
      expect(listed).toContain(`${route.method} ${route.path}`);
    }
  });

  it('gives every domain error code in its Errors table, with its status', () => {
    const table = rows(/^\| status \| codes/m);
    for (const [code, status] of Object.entries(STATUS)) {
      const row = table.find(
        ([, cells, codes]) => cells === String(status) && codes?.includes(`\`${code}\``),
      );
      expect(row, `${code} (${status})`).toBeDefined();
    }
  });
});
