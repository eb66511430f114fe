import { createHash } from 'node:crypto';
import { formatLondonInstant } from '#shared/notifications/templates.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { html, SafeHtml, when } from './html.ts';

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
}

/** Local mode only: move the virtual clock from any staff page (the CLI does the same). */
function localClockForm(back: string, csrf: string): SafeHtml {
  return html`<form method="post" action="/local/clock/advance" class="govuk-!-margin-top-2" data-testid="clock-form">
  <input type="hidden" name="back" value="${back}">
  <input type="hidden" name="csrf" value="${csrf}">
  <div class="govuk-form-group govuk-!-margin-bottom-2">
    <label class="govuk-label govuk-label--s" for="clock-working-days">Move the clock forward (working days)</label>
    <input class="govuk-input govuk-input--width-3" id="clock-working-days" name="workingDays" type="text" inputmode="numeric" value="1">
    <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button">Move the clock</button>
  </div>
</form>`;
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
</head>
<body class="govuk-template__body">
  <script>${new SafeHtml(INLINE_SCRIPT)}</script>
  <a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">Skip to main content</a>
  <section aria-label="Service information" class="govuk-service-navigation" data-module="govuk-service-navigation">
    <div class="govuk-width-container">
      <div class="govuk-service-navigation__container">
        <span class="govuk-service-navigation__service-name">
          <a href="${home}" class="govuk-service-navigation__link">${serviceName}</a>
        </span>
        ${when(
          options.staff,
          () => html`<nav aria-label="Staff menu" class="govuk-service-navigation__wrapper">
          <button type="button" class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle" aria-controls="navigation" hidden>Menu</button>
          <ul class="govuk-service-navigation__list" id="navigation">
            <li class="govuk-service-navigation__item"><a class="govuk-service-navigation__link" href="/staff">Work queue</a></li>
            <li class="govuk-service-navigation__item"><a class="govuk-service-navigation__link" href="/staff/search">Find a case</a></li>
            <li class="govuk-service-navigation__item"><a class="govuk-service-navigation__link" href="/staff/manager">Breaches and load</a></li>
            <li class="govuk-service-navigation__item"><a class="govuk-service-navigation__link" href="/staff/log-complaint">Log a complaint</a></li>
            <li class="govuk-service-navigation__item"><a class="govuk-service-navigation__link" href="${options.staff?.signOutPath ?? '/staff/sign-out'}">Sign out ${options.staff?.name ?? ''}</a></li>
          </ul>
        </nav>`,
        )}
      </div>
    </div>
  </section>
  <div class="govuk-width-container">
    <div role="region" aria-label="Service status">
    ${when(
      options.localMode,
      () => html`<div class="govuk-phase-banner"><p class="govuk-phase-banner__content"><strong class="govuk-tag govuk-phase-banner__content__tag">Local mode</strong><span class="govuk-phase-banner__text">Running on this machine: data stays here and emails go to the local outbox. Today's date here is <strong data-testid="virtual-date">${formatLondonInstant((options.localMode as { now: Date }).now.toISOString())}</strong>.</span></p></div>
      ${when(options.staff, () => localClockForm(options.currentPath ?? '/staff', options.staff?.csrf ?? ''))}`,
    )}
    ${when(
      options.staff && !options.localMode,
      () =>
        html`<p class="govuk-body-s govuk-!-margin-top-2">Today: ${formatLondonInstant((options.staff as { now: Date }).now.toISOString())}</p>`,
    )}
    </div>
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
