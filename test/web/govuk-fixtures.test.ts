import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backLink,
  button,
  checkboxes,
  dateInput,
  details,
  errorSummary,
  fileUpload,
  insetText,
  notificationBanner,
  panel,
  radios,
  select,
  summaryList,
  table,
  tag,
  textarea,
  textInput,
  warningText,
} from '#functions/web/ui/components.ts';
import { html, SafeHtml } from '#functions/web/ui/html.ts';
import { layout, phaseBanner, serviceNavigation, skipLink } from '#functions/web/ui/layout.ts';
import { loadProfile } from '#shared/policy/load-profile.ts';

/**
 * The components this project writes by hand, compared with govuk-frontend's own fixtures
 * (dist/govuk/components/<name>/fixtures.json) for the installed version, so an upgrade shows every drift.
 */

const GOVUK = join(
  dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json')),
  'dist',
  'govuk',
);

interface Fixture {
  name: string;
  options: Record<string, unknown>;
  html: string;
}

function fixture(component: string, name = 'default'): Fixture {
  const file = JSON.parse(readFileSync(join(GOVUK, 'components', component, 'fixtures.json'), 'utf8')) as {
    fixtures: Fixture[];
  };
  const found = file.fixtures.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`govuk-frontend has no "${name}" fixture for ${component}`);
  return found;
}

interface Node {
  tag: string;
  attributes: Record<string, string>;
  classes: string[];
  children: Array<Node | string>;
}

const VOID = new Set(['input', 'br', 'img', 'hr', 'meta', 'link']);

/** A small parser for the markup both sides produce: elements, attributes and text, whitespace normalised. */
function parse(markup: string): Array<Node | string> {
  const root: Node = { tag: '#root', attributes: {}, classes: [], children: [] };
  const stack = [root];
  for (const [, closing, tagName, rawAttributes, text] of markup.matchAll(
    /<(\/)?([a-z0-9]+)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>|([^<]+)/g,
  )) {
    const parent = stack.at(-1) as Node;
    if (text !== undefined) {
      const normalised = text.replace(/\s+/g, ' ').trim();
      if (normalised) parent.children.push(normalised);
    } else if (closing) {
      stack.pop();
    } else {
      const attributes: Record<string, string> = {};
      for (const [, attribute, value] of (rawAttributes ?? '').matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) {
        if (attribute) attributes[attribute] = value ?? '';
      }
      const classes = (attributes.class ?? '').split(/\s+/).filter(Boolean).sort();
      delete attributes.class;
      const node: Node = { tag: tagName ?? '', attributes, classes, children: [] };
      parent.children.push(node);
      if (!VOID.has(node.tag)) stack.push(node);
    }
  }
  // Adjacent text pieces (split by a tag that was dropped) read as one.
  return root.children;
}

/**
 * Every element, class, attribute and text of the package's markup must be in ours, in the same structure.
 * Ours may add attributes and classes the fixture's options did not ask for (a value, a legend size, a test id).
 */
function differences(ours: Array<Node | string>, theirs: Array<Node | string>, path = ''): string[] {
  if (ours.length !== theirs.length) {
    return [`${path || 'top'}: ${ours.length} children, the package has ${theirs.length}`];
  }
  return theirs.flatMap((expected, index) => {
    const actual = ours[index];
    const where = `${path}/${typeof expected === 'string' ? `"${expected.slice(0, 20)}"` : expected.tag}[${index}]`;
    if (typeof expected === 'string' || typeof actual === 'string' || actual === undefined) {
      return actual === expected ? [] : [`${where}: ${JSON.stringify(actual)} where the package has text`];
    }
    if (actual.tag !== expected.tag)
      return [`${where}: <${actual.tag}> where the package has <${expected.tag}>`];
    const missing = [
      ...expected.classes.filter((name) => !actual.classes.includes(name)).map((name) => `class ${name}`),
      ...Object.entries(expected.attributes)
        .filter(([name, value]) => actual.attributes[name] !== value)
        .map(([name, value]) => `${name}="${value}" (ours: ${JSON.stringify(actual.attributes[name])})`),
    ];
    return [
      ...(missing.length ? [`${where}: missing ${missing.join(', ')}`] : []),
      ...differences(actual.children, expected.children, where),
    ];
  });
}

function compare(ours: SafeHtml, component: string, name = 'default'): string[] {
  return differences(parse(ours.value), parse(fixture(component, name).html));
}

const text = (value: unknown) => String(value);

describe('hand-written GOV.UK components match govuk-frontend fixtures', () => {
  const cases: Array<[string, string, (options: Record<string, unknown>) => SafeHtml]> = [
    ['tag', 'default', (o) => tag(text(o.text))],
    ['tag', 'grey', (o) => tag(text(o.text), 'grey')],
    ['button', 'default', (o) => button(text(o.text))],
    ['button', 'secondary', (o) => button(text(o.text), { secondary: true, name: text(o.name) })],
    ['button', 'warning', (o) => button(text(o.text), { warning: true, name: text(o.name) })],
    ['warning-text', 'default', (o) => warningText(text(o.text))],
    ['details', 'default', (o) => details(text(o.summaryText), text(o.text))],
    ['back-link', 'default', () => backLink('#')],
    ['inset-text', 'default', (o) => insetText(text(o.text))],
    ['panel', 'default', (o) => panel(text(o.titleHtml), new SafeHtml(text(o.html)))],
    [
      'notification-banner',
      'default',
      (o) =>
        notificationBanner(
          'Important',
          html`<p class="govuk-notification-banner__heading">${text(o.text)}</p>`,
        ),
    ],
    [
      'error-summary',
      'default',
      (o) =>
        errorSummary(
          (o.errorList as Array<{ text: string; href: string }>).map((error) => ({
            field: error.href.slice(1),
            message: error.text,
          })),
        ),
    ],
    [
      'input',
      'default',
      (o) => textInput({ name: text(o.name), label: text((o.label as { text: string }).text) }),
    ],
    [
      'textarea',
      'default',
      (o) => textarea({ name: text(o.name), label: text((o.label as { text: string }).text) }),
    ],
    [
      'file-upload',
      'default',
      (o) => fileUpload({ name: text(o.name), label: text((o.label as { text: string }).text) }),
    ],
    [
      'summary-list',
      'default',
      (o) =>
        summaryList(
          (o.rows as Array<{ key: { text: string }; value: { text?: string; html?: string } }>).map(
            (row) => ({
              key: row.key.text,
              value: row.value.html ? new SafeHtml(row.value.html) : text(row.value.text),
            }),
          ),
        ),
    ],
    ...(['radios', 'checkboxes'] as const).map(
      (kind): [string, string, (options: Record<string, unknown>) => SafeHtml] => [
        kind,
        'default',
        (o) =>
          (kind === 'radios' ? radios : checkboxes)({
            name: text(o.name),
            legend: text((o.fieldset as { legend: { text: string } }).legend.text),
            items: (o.items as Array<{ value: string; text: string }>).map((item) => ({
              value: item.value,
              text: item.text,
            })),
          }),
      ],
    ),
    [
      'date-input',
      'with values and name prefix',
      (o) => {
        const values = o.values as Record<string, number>;
        const prefix = text(o.namePrefix);
        return dateInput({
          id: text(o.id),
          name: prefix,
          legend: text((o.fieldset as { legend: { text: string } }).legend.text),
          hint: text((o.hint as { text: string }).text),
          value: {
            day: text(values[`${prefix}-day`]),
            month: text(values[`${prefix}-month`]),
            year: text(values[`${prefix}-year`]),
          },
        });
      },
    ],
    [
      'table',
      'with head',
      (o) => {
        type Cell = { text: string; format?: string };
        const head = o.head as Cell[];
        return table({
          head: head.map((cell) => cell.text),
          rows: (o.rows as Cell[][]).map((row) => row.map((cell) => cell.text)),
          numericColumns: head.flatMap((cell, index) => (cell.format === 'numeric' ? [index] : [])),
        });
      },
    ],
    [
      'select',
      'with hint text and error message',
      (o) =>
        select({
          name: text(o.name),
          label: text((o.label as { text: string }).text),
          hint: text((o.hint as { text: string }).text),
          error: text((o.errorMessage as { text: string }).text),
          items: (o.items as Array<{ value: number; text: string }>).map((item) => ({
            value: text(item.value),
            text: item.text,
          })),
        }),
    ],
    ['skip-link', 'custom href', (o) => skipLink(text(o.href), text(o.text))],
    [
      'service-navigation',
      'with service name and navigation',
      (o) =>
        serviceNavigation({
          serviceName: text(o.serviceName),
          serviceUrl: text(o.serviceUrl),
          navigation: o.navigation as Array<{ href: string; text: string; active?: boolean }>,
        }),
    ],
    [
      'phase-banner',
      'default',
      (o) => phaseBanner(text((o.tag as { text: string }).text), new SafeHtml(text(o.html))),
    ],
  ];

  it.each(cases)('%s (fixture "%s")', (component, name, render) => {
    expect(compare(render(fixture(component, name).options), component, name)).toEqual([]);
  });

  it('finds a drift when there is one', () => {
    expect(compare(html`<strong class="govuk-tag govuk-tag--old">Alpha</strong>`, 'tag', 'grey')).not.toEqual(
      [],
    );
    expect(compare(html`<span class="govuk-tag">Alpha</span>`, 'tag')).not.toEqual([]);
  });

  it('uses only classes that govuk-frontend styles or scripts, in the layout and every component', () => {
    const css = readFileSync(join(GOVUK, 'govuk-frontend.min.css'), 'utf8');
    const js = readFileSync(join(GOVUK, 'govuk-frontend.min.js'), 'utf8');
    const profile = loadProfile('code-baseline');
    const rendered = [
      layout({ title: 'Resident', profile, body: html`<p>x</p>`, localMode: { now: new Date() } }).value,
      layout({
        title: 'Staff',
        profile,
        body: html`<p>x</p>`,
        localMode: { now: new Date() },
        staff: { name: 'Hannah', role: 'handler', now: new Date(), signOutPath: '/staff/sign-out' },
      }).value,
      ...cases.map(([component, name, render]) => render(fixture(component, name).options).value),
    ].join('\n');
    const classes = new Set(
      [...rendered.matchAll(/class="([^"]*)"/g)].flatMap(([, list]) =>
        (list ?? '').split(/\s+/).filter((name) => name.startsWith('govuk-')),
      ),
    );
    // Structural classes the package puts in its own markup without styling them (govuk-table__row) count too.
    const packageMarkup = cases.map(([component, name]) => fixture(component, name).html).join('\n');
    const unknown = [...classes].filter(
      (name) =>
        !css.includes(`.${name.replace(/!/g, '\\!')}`) &&
        !js.includes(name) &&
        !new RegExp(`class="(?:[^"]*\\s)?${name}(?:\\s[^"]*)?"`).test(packageMarkup),
    );
    expect(unknown).toEqual([]);
  });
});
