import { createHash } from 'node:crypto';
import { HELD_EMAIL_ROLES } from '#shared/domain/email.ts';
import { formatLondonInstant } from '#shared/notifications/words.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { errorSummary } from './components.ts';
import { html, join, SafeHtml, when } from './html.ts';

/** The GOV.UK template's one inline script: marks the body so components initialise only where supported. */
export const INLINE_SCRIPT =
  "document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');";
export const INLINE_SCRIPT_HASH = `sha256-${createHash('sha256').update(INLINE_SCRIPT).digest('base64')}`;

export interface LayoutOptions {
  title: string;
  profile: ProviderProfile;
  body: SafeHtml;
  /** Puts "Error: " before the title, as GOV.UK pages with validation errors do. */
  hasErrors?: boolean;
  /** The staff header: signed-in user, navigation, and the current (virtual) date. */
  staff?: { name: string; role: string; now: Date; signOutPath: string; csrf?: string };
  /** Shown on every page when running on one machine. */
  localMode?: { now: Date };
  backLink?: SafeHtml;
  /** Where the local clock form returns to. */
  currentPath?: string;
  /** Local mode only: the clock form shown with what was entered and what is wrong with it. */
  clockError?: ClockFormError;
}

/** Local mode only: the clock form sent back because what was entered cannot move the clock. */
export interface ClockFormError {
  value: string;
  message: string;
}

/** Local mode only: move the virtual clock from any staff page (the CLI does the same). */
function localClockForm(back: string, csrf: string, error?: ClockFormError): SafeHtml {
  return html`<form method="post" action="/local/clock/advance" class="govuk-!-margin-top-2" data-testid="clock-form">
  <input type="hidden" name="back" value="${back}">
  <input type="hidden" name="csrf" value="${csrf}">
  <div class="govuk-form-group govuk-!-margin-bottom-2${error ? ' govuk-form-group--error' : ''}">
    <label class="govuk-label govuk-label--s" for="clock-working-days">Move the clock forward (working days)</label>
    ${when(error, () => html`<p id="clock-working-days-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> ${error?.message ?? ''}</p>`)}
    <input class="govuk-input govuk-input--width-3${error ? ' govuk-input--error' : ''}" id="clock-working-days" name="workingDays" type="text" inputmode="numeric" value="${error ? error.value : '1'}"${error ? html` aria-describedby="clock-working-days-error"` : html``}>
    <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button">Move the clock</button>
  </div>
</form>`;
}

/**
 * Local mode only: the page the clock form answers when what was entered cannot move the clock. The form (in
 * the header, as on every staff page) keeps what was entered and says what to enter; the clock did not move.
 */
export function localClockErrorPage(options: {
  profile: ProviderProfile;
  staff: NonNullable<LayoutOptions['staff']>;
  now: Date;
  back: string;
  error: ClockFormError;
}): SafeHtml {
  return layout({
    title: 'Move the clock',
    profile: options.profile,
    hasErrors: true,
    staff: options.staff,
    localMode: { now: options.now },
    currentPath: options.back,
    clockError: options.error,
    body: html`${errorSummary([{ field: 'clock-working-days', message: options.error.message }])}
<h1 class="govuk-heading-l">The clock did not move</h1>
<p class="govuk-body">Enter a whole number of working days in the form above and select Move the clock, or <a class="govuk-link" href="${options.back}">go back to the page you were on</a>.</p>`,
  });
}

export function skipLink(href: string, text: string): SafeHtml {
  return html`<a href="${href}" class="govuk-skip-link" data-module="govuk-skip-link">${text}</a>`;
}

/** GOV.UK service navigation: the service's name and, when there is one, its menu. */
export function serviceNavigation(options: {
  serviceName: string;
  serviceUrl: string;
  navigationLabel?: string;
  navigation: ReadonlyArray<{ href: string; text: string; active?: boolean }>;
}): SafeHtml {
  return html`<section aria-label="Service information" class="govuk-service-navigation" data-module="govuk-service-navigation">
    <div class="govuk-width-container">
      <div class="govuk-service-navigation__container">
        <span class="govuk-service-navigation__service-name">
          <a href="${options.serviceUrl}" class="govuk-service-navigation__link">${options.serviceName}</a>
        </span>
        ${when(
          options.navigation.length > 0,
          () => html`<nav aria-label="${options.navigationLabel ?? 'Menu'}" class="govuk-service-navigation__wrapper">
          <button type="button" class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle" aria-controls="navigation" hidden aria-hidden="true">Menu</button>
          <ul class="govuk-service-navigation__list" id="navigation">
            ${join(
              options.navigation.map((item) =>
                item.active
                  ? html`<li class="govuk-service-navigation__item govuk-service-navigation__item--active"><a class="govuk-service-navigation__link" href="${item.href}" aria-current="true"><strong class="govuk-service-navigation__active-fallback">${item.text}</strong></a></li>`
                  : html`<li class="govuk-service-navigation__item"><a class="govuk-service-navigation__link" href="${item.href}">${item.text}</a></li>`,
              ),
            )}
          </ul>
        </nav>`,
        )}
      </div>
    </div>
  </section>`;
}

/** A phase banner, outside the page's width container as govuk-frontend places it (it is its own). */
export function phaseBanner(tagText: string, text: SafeHtml | string): SafeHtml {
  return html`<div class="govuk-phase-banner govuk-width-container"><p class="govuk-phase-banner__content"><strong class="govuk-tag govuk-phase-banner__content__tag">${tagText}</strong><span class="govuk-phase-banner__text">${text}</span></p></div>`;
}

export function layout(options: LayoutOptions): SafeHtml {
  const { profile } = options;
  const serviceName = options.staff ? `${profile.name} complaints (staff)` : `Complain to ${profile.name}`;
  const home = options.staff ? '/staff' : '/';
  return html`<html lang="en-GB" class="govuk-template">
<head>
  <meta charset="utf-8">
  <title>${options.hasErrors ? 'Error: ' : ''}${options.title} – ${serviceName}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
  <meta name="robots" content="noindex, nofollow">
  <meta name="theme-color" content="#1d70b8">
  <link rel="icon" sizes="48x48" href="/assets/images/favicon.ico">
  <link rel="icon" sizes="any" href="/assets/images/favicon.svg" type="image/svg+xml">
  <link rel="mask-icon" href="/assets/images/govuk-icon-mask.svg" color="#1d70b8">
  <link rel="apple-touch-icon" href="/assets/images/govuk-icon-180.png">
  <link rel="manifest" href="/assets/manifest.json">
  <link rel="stylesheet" href="/govuk/govuk-frontend.min.css">
  <link rel="stylesheet" href="/govuk/print.css" media="print">
</head>
<body class="govuk-template__body">
  <script>${new SafeHtml(INLINE_SCRIPT)}</script>
  ${skipLink('#main-content', 'Skip to main content')}
  ${serviceNavigation({
    serviceName,
    serviceUrl: home,
    navigationLabel: 'Staff menu',
    navigation: options.staff
      ? [
          { href: '/staff', text: 'Work queue' },
          { href: '/staff/search', text: 'Find a case' },
          ...((HELD_EMAIL_ROLES as readonly string[]).includes(options.staff.role)
            ? [{ href: '/staff/held-email', text: 'Held email' }]
            : []),
          { href: '/staff/manager', text: 'Breaches and load' },
          ...(options.staff.role === 'manager' || options.staff.role === 'admin'
            ? [
                { href: '/staff/reports/annual', text: 'Annual report' },
                { href: '/staff/improvements', text: 'Improvements' },
              ]
            : []),
          { href: '/staff/log-complaint', text: 'Log a complaint' },
          { href: options.staff.signOutPath, text: `Sign out ${options.staff.name}` },
        ]
      : [],
  })}
  <div role="region" aria-label="Service status">
    ${when(options.localMode, () =>
      phaseBanner(
        'Local mode',
        html`Running on this machine: data stays here and emails go to the local outbox. Today's date here is <strong data-testid="virtual-date">${formatLondonInstant((options.localMode as { now: Date }).now.toISOString())}</strong>.`,
      ),
    )}
    ${when(
      options.staff,
      () => html`<div class="govuk-width-container">
      ${
        options.localMode
          ? localClockForm(options.currentPath ?? '/staff', options.staff?.csrf ?? '', options.clockError)
          : html`<p class="govuk-body-s govuk-!-margin-top-2">Today: ${formatLondonInstant((options.staff as { now: Date }).now.toISOString())}</p>`
      }
    </div>`,
    )}
  </div>
  <div class="govuk-width-container">
    ${options.backLink ?? html``}
    <main class="govuk-main-wrapper" id="main-content" role="main">
      ${options.body}
    </main>
  </div>
  <footer class="govuk-footer">
    <div class="govuk-width-container">
      <div class="govuk-footer__meta">
        <div class="govuk-footer__meta-item govuk-footer__meta-item--grow">
          <h2 class="govuk-visually-hidden">Contact ${profile.name}</h2>
          <p class="govuk-body-s">${profile.contact.name}${profile.contact.phone ? html` · phone ${profile.contact.phone}` : html``}${profile.contact.email ? html` · <a class="govuk-footer__link" href="mailto:${profile.contact.email}">${profile.contact.email}</a>` : html``}</p>
          <p class="govuk-body-s"><a class="govuk-footer__link" href="/how-to-complain">How to complain</a> · You can contact the ${profile.ombudsman.name} at any time${profile.ombudsman.phone ? ` on ${profile.ombudsman.phone}` : ''}.</p>
        </div>
      </div>
    </div>
  </footer>
  <script type="module" src="/govuk/init.mjs"></script>
</body>
</html>`;
}
