import { escapeHtml } from '#shared/notifications/document.ts';

/**
 * HTML built only through `html` tagged templates: every interpolated value is escaped unless it is
 * itself a SafeHtml fragment. There is no other way to put text into a page.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolated = SafeHtml | string | number | boolean | null | undefined | readonly Interpolated[];

function render(value: Interpolated): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Joins fragments (for lists built with map). */
export function join(fragments: readonly SafeHtml[]): SafeHtml {
  return new SafeHtml(fragments.map((fragment) => fragment.value).join(''));
}

export function when(condition: unknown, fragment: () => SafeHtml): SafeHtml {
  return condition ? fragment() : new SafeHtml('');
}
