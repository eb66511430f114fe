import { html, join, type SafeHtml, when } from './html.ts';

/** GOV.UK Design System markup (govuk-frontend 6): accessible forms residents already know. */

export interface FieldError {
  field: string;
  message: string;
  /** Where the summary's link goes when that is not the field's own id (a date input links its day field). */
  href?: string;
}

export function errorFor(errors: readonly FieldError[] | undefined, name: string): string | undefined {
  return errors?.find((error) => error.field === name)?.message;
}

export function errorSummary(errors: readonly FieldError[] | undefined): SafeHtml {
  if (!errors?.length) return html``;
  return html`<div class="govuk-error-summary" data-module="govuk-error-summary">
  <div role="alert">
    <h2 class="govuk-error-summary__title">There is a problem</h2>
    <div class="govuk-error-summary__body">
      <ul class="govuk-list govuk-error-summary__list">
        ${join(errors.map((error) => html`<li><a href="${error.href ?? `#${error.field}`}">${error.message}</a></li>`))}
      </ul>
    </div>
  </div>
</div>`;
}

interface FieldOptions {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  /** Label as the page heading (single-question pages). */
  isPageHeading?: boolean;
}

function label(options: FieldOptions, id: string): SafeHtml {
  const text = html`<label class="govuk-label${options.isPageHeading ? ' govuk-label--l' : ''}" for="${id}">${options.label}</label>`;
  return options.isPageHeading ? html`<h1 class="govuk-label-wrapper">${text}</h1>` : text;
}

function hintAndError(options: FieldOptions, id: string): { markup: SafeHtml; describedBy: string } {
  const ids = [options.hint && `${id}-hint`, options.error && `${id}-error`].filter(Boolean);
  const hint = options.hint ? html`<div id="${id}-hint" class="govuk-hint">${options.hint}</div>` : html``;
  const error = options.error
    ? html`<p id="${id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${options.error}</p>`
    : html``;
  return { markup: html`${hint}${error}`, describedBy: ids.join(' ') };
}

export function textInput(
  options: FieldOptions & {
    value?: string;
    type?: string;
    autocomplete?: string;
    width?: string;
    spellcheck?: boolean;
  },
): SafeHtml {
  const id = options.name;
  const { markup, describedBy } = hintAndError(options, id);
  const width = options.width ? ` govuk-input--width-${options.width}` : '';
  return html`<div class="govuk-form-group${options.error ? ' govuk-form-group--error' : ''}">
  ${label(options, id)}
  ${markup}
  <input class="govuk-input${width}${options.error ? ' govuk-input--error' : ''}" id="${id}" name="${options.name}" type="${options.type ?? 'text'}" value="${options.value ?? ''}"${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : html``}${options.spellcheck === false ? html` spellcheck="false"` : html``}${describedBy ? html` aria-describedby="${describedBy}"` : html``}>
</div>`;
}

export function textarea(options: FieldOptions & { value?: string; rows?: number }): SafeHtml {
  const id = options.name;
  const { markup, describedBy } = hintAndError(options, id);
  return html`<div class="govuk-form-group${options.error ? ' govuk-form-group--error' : ''}">
  ${label(options, id)}
  ${markup}
  <textarea class="govuk-textarea${options.error ? ' govuk-textarea--error' : ''}" id="${id}" name="${options.name}" rows="${options.rows ?? 5}"${describedBy ? html` aria-describedby="${describedBy}"` : html``}>${options.value ?? ''}</textarea>
</div>`;
}

/** A file input (GOV.UK file upload, without the JavaScript enhancement: it works without JavaScript). */
export function fileUpload(options: FieldOptions & { multiple?: boolean; accept?: string }): SafeHtml {
  const id = options.name;
  const { markup, describedBy } = hintAndError(options, id);
  return html`<div class="govuk-form-group${options.error ? ' govuk-form-group--error' : ''}">
  ${label(options, id)}
  ${markup}
  <input class="govuk-file-upload${options.error ? ' govuk-file-upload--error' : ''}" id="${id}" name="${options.name}" type="file"${options.multiple ? html` multiple` : html``}${options.accept ? html` accept="${options.accept}"` : html``}${describedBy ? html` aria-describedby="${describedBy}"` : html``}>
</div>`;
}

export interface Choice {
  value: string;
  text: string;
  hint?: string;
}

export interface ChoiceOptions {
  name: string;
  legend: string;
  hint?: string;
  error?: string;
  items: readonly Choice[];
  inline?: boolean;
  legendSize?: 's' | 'm' | 'l';
}

function choices(
  kind: 'radios' | 'checkboxes',
  options: ChoiceOptions & { selected: readonly string[] },
): SafeHtml {
  const id = options.name;
  const { markup, describedBy } = hintAndError({ ...options, label: options.legend }, id);
  const type = kind === 'radios' ? 'radio' : 'checkbox';
  return html`<div class="govuk-form-group${options.error ? ' govuk-form-group--error' : ''}">
  <fieldset class="govuk-fieldset"${describedBy ? html` aria-describedby="${describedBy}"` : html``}>
    <legend class="govuk-fieldset__legend govuk-fieldset__legend--${options.legendSize ?? 's'}">${options.legend}</legend>
    ${markup}
    <div class="govuk-${kind}${options.inline ? ` govuk-${kind}--inline` : ''}" data-module="govuk-${kind}">
      ${join(
        options.items.map((item, index) => {
          const itemId = index === 0 ? id : `${id}-${index + 1}`;
          return html`<div class="govuk-${kind}__item">
        <input class="govuk-${kind}__input" id="${itemId}" name="${options.name}" type="${type}" value="${item.value}"${options.selected.includes(item.value) ? html` checked` : html``}${item.hint ? html` aria-describedby="${itemId}-item-hint"` : html``}>
        <label class="govuk-label govuk-${kind}__label" for="${itemId}">${item.text}</label>
        ${when(item.hint, () => html`<div id="${itemId}-item-hint" class="govuk-hint govuk-${kind}__hint">${item.hint}</div>`)}
      </div>`;
        }),
      )}
    </div>
  </fieldset>
</div>`;
}

export function radios(options: ChoiceOptions & { value?: string }): SafeHtml {
  return choices('radios', { ...options, selected: options.value ? [options.value] : [] });
}

export function checkboxes(options: ChoiceOptions & { values?: readonly string[] }): SafeHtml {
  return choices('checkboxes', { ...options, selected: options.values ?? [] });
}

/** The summary link for an error on a date input: its day field, as GOV.UK links the first field of the date. */
export const dateErrorHref = (name: string): string => `#${name}-day`;

/**
 * A date as three fields (day, month, year), as GOV.UK asks for memorable dates: `name` is the package's
 * namePrefix (fields `<name>-day`, `-month`, `-year`) and, unless given, its id.
 */
export function dateInput(options: {
  name: string;
  id?: string;
  legend: string;
  hint?: string;
  error?: string;
  value?: { day?: string; month?: string; year?: string };
}): SafeHtml {
  const id = options.id ?? options.name;
  const { markup, describedBy } = hintAndError({ ...options, label: options.legend }, id);
  const part = (
    key: 'day' | 'month' | 'year',
    text: string,
    width: number,
  ) => html`<div class="govuk-date-input__item">
      <div class="govuk-form-group">
        <label class="govuk-label govuk-date-input__label" for="${id}-${key}">${text}</label>
        <input class="govuk-input govuk-date-input__input govuk-input--width-${width}${options.error ? ' govuk-input--error' : ''}" id="${id}-${key}" name="${options.name}-${key}" type="text" inputmode="numeric" value="${options.value?.[key] ?? ''}">
      </div>
    </div>`;
  return html`<div class="govuk-form-group${options.error ? ' govuk-form-group--error' : ''}">
  <fieldset class="govuk-fieldset" role="group"${describedBy ? html` aria-describedby="${describedBy}"` : html``}>
    <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">${options.legend}</legend>
    ${markup}
    <div class="govuk-date-input" id="${id}">${part('day', 'Day', 2)}${part('month', 'Month', 2)}${part('year', 'Year', 4)}</div>
  </fieldset>
</div>`;
}

export function button(
  text: string,
  options: { secondary?: boolean; warning?: boolean; name?: string; value?: string } = {},
): SafeHtml {
  const variant = options.secondary
    ? ' govuk-button--secondary'
    : options.warning
      ? ' govuk-button--warning'
      : '';
  return html`<button type="submit" class="govuk-button${variant}" data-module="govuk-button"${options.name ? html` name="${options.name}" value="${options.value ?? ''}"` : html``}>${text}</button>`;
}

export function hidden(name: string, value: string): SafeHtml {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

/** A bulleted list (GOV.UK typography, not a component with a macro). */
export function bulletList(items: readonly (SafeHtml | string)[]): SafeHtml {
  return html`<ul class="govuk-list govuk-list--bullet">${join(items.map((item) => html`<li>${item}</li>`))}</ul>`;
}

export function summaryList(rows: ReadonlyArray<{ key: string; value: SafeHtml | string }>): SafeHtml {
  return html`<dl class="govuk-summary-list">
  ${join(
    rows.map(
      (row) => html`<div class="govuk-summary-list__row">
    <dt class="govuk-summary-list__key">${row.key}</dt>
    <dd class="govuk-summary-list__value">${row.value}</dd>
  </div>`,
    ),
  )}
</dl>`;
}

export function table(options: {
  caption?: string;
  head: readonly string[];
  rows: ReadonlyArray<ReadonlyArray<SafeHtml | string>>;
  /** Columns (by index) of numbers: right-aligned so digits line up, as govuk-frontend's `format: "numeric"`. */
  numericColumns?: readonly number[];
}): SafeHtml {
  const numeric = (index: number, element: 'header' | 'cell') =>
    options.numericColumns?.includes(index) ? ` govuk-table__${element}--numeric` : '';
  return html`<table class="govuk-table">
  ${when(options.caption, () => html`<caption class="govuk-table__caption govuk-table__caption--m">${options.caption}</caption>`)}
  <thead class="govuk-table__head"><tr class="govuk-table__row">${join(options.head.map((cell, index) => html`<th scope="col" class="govuk-table__header${numeric(index, 'header')}">${cell}</th>`))}</tr></thead>
  <tbody class="govuk-table__body">
    ${join(options.rows.map((row) => html`<tr class="govuk-table__row">${join(row.map((cell, index) => html`<td class="govuk-table__cell${numeric(index, 'cell')}">${cell}</td>`))}</tr>`))}
  </tbody>
</table>`;
}

export type TagColour = 'green' | 'yellow' | 'red' | 'blue' | 'grey' | 'orange' | 'purple' | 'turquoise';

export function tag(text: string, colour?: TagColour): SafeHtml {
  return html`<strong class="govuk-tag${colour ? ` govuk-tag--${colour}` : ''}">${text}</strong>`;
}

export function panel(title: string, body: SafeHtml | string): SafeHtml {
  return html`<div class="govuk-panel govuk-panel--confirmation">
  <h1 class="govuk-panel__title">${title}</h1>
  <div class="govuk-panel__body">${body}</div>
</div>`;
}

export function notificationBanner(title: string, body: SafeHtml | string, success = false): SafeHtml {
  return html`<div class="govuk-notification-banner${success ? ' govuk-notification-banner--success' : ''}" role="${success ? 'alert' : 'region'}" aria-labelledby="govuk-notification-banner-title" data-module="govuk-notification-banner">
  <div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="govuk-notification-banner-title">${title}</h2></div>
  <div class="govuk-notification-banner__content">${body}</div>
</div>`;
}

export function warningText(text: string): SafeHtml {
  return html`<div class="govuk-warning-text"><span class="govuk-warning-text__icon" aria-hidden="true">!</span><strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>${text}</strong></div>`;
}

export function details(summary: string, body: SafeHtml | string): SafeHtml {
  return html`<details class="govuk-details"><summary class="govuk-details__summary"><span class="govuk-details__summary-text">${summary}</span></summary><div class="govuk-details__text">${body}</div></details>`;
}

export function backLink(href: string, text = 'Back'): SafeHtml {
  return html`<a href="${href}" class="govuk-back-link">${text}</a>`;
}

export function select(options: {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  value?: string;
  items: ReadonlyArray<{ value: string; text: string }>;
}): SafeHtml {
  const id = options.name;
  const described = [options.hint ? `${id}-hint` : '', options.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return html`<div class="govuk-form-group${options.error ? ' govuk-form-group--error' : ''}">
  <label class="govuk-label" for="${id}">${options.label}</label>
  ${when(options.hint, () => html`<div id="${id}-hint" class="govuk-hint">${options.hint}</div>`)}
  ${when(options.error, () => html`<p id="${id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${options.error}</p>`)}
  <select class="govuk-select${options.error ? ' govuk-select--error' : ''}" id="${id}" name="${options.name}"${described ? html` aria-describedby="${described}"` : html``}>
    ${join(options.items.map((item) => html`<option value="${item.value}"${item.value === options.value ? html` selected` : html``}>${item.text}</option>`))}
  </select>
</div>`;
}

/** A notification banner with its own id (a page may have more than one). */
export function banner(
  id: string,
  title: string,
  body: SafeHtml,
  options: { success?: boolean; testId?: string } = {},
): SafeHtml {
  return html`<div class="govuk-notification-banner${options.success ? ' govuk-notification-banner--success' : ''}" role="${options.success ? 'alert' : 'region'}" aria-labelledby="${id}-title" data-module="govuk-notification-banner"${options.testId ? html` data-testid="${options.testId}"` : html``}>
  <div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="${id}-title">${title}</h2></div>
  <div class="govuk-notification-banner__content">${body}</div>
</div>`;
}

export function insetText(body: SafeHtml | string, testId?: string): SafeHtml {
  return html`<div class="govuk-inset-text"${testId ? html` data-testid="${testId}"` : html``}>${body}</div>`;
}
