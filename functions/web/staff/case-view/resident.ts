import type { CaseState } from '#shared/domain/case.ts';
import { banner, bulletList, summaryList } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import { CONTACT_WORDS, multiline } from '../words.ts';

/** Who the resident is, and what to know before anyone gets in touch. */

/** Reasonable adjustments, vulnerability and any representative: shown first, before anyone gets in touch. */
export function residentNeedsBanner(state: CaseState): SafeHtml {
  const { reasonableAdjustments, vulnerability, representative } = state.complainant;
  const items: SafeHtml[] = [];
  if (reasonableAdjustments) {
    items.push(html`<strong>Reasonable adjustments:</strong> ${multiline(reasonableAdjustments)}`);
  }
  if (vulnerability) items.push(html`<strong>Vulnerability:</strong> ${multiline(vulnerability)}`);
  if (representative) {
    const contact = [representative.email, representative.phone].filter(Boolean).join(', ');
    items.push(
      html`<strong>Representative:</strong> ${representative.name} (${representative.relationship}) acts for the resident. ${representative.consentRecorded ? "The resident's consent is recorded." : 'Consent is NOT recorded.'}${contact ? ` Contact: ${contact}.` : ''} Letters go to the representative.`,
    );
  }
  if (items.length === 0) return html``;
  return banner('resident-needs', 'Before you contact this resident', bulletList(items), {
    testId: 'resident-needs',
  });
}

export function residentDetails(state: CaseState): SafeHtml {
  const c = state.complainant;
  const none = html`<span class="govuk-hint">Not given</span>`;
  return html`<h2 class="govuk-heading-m" id="resident">The resident</h2>
${summaryList([
  { key: 'Name', value: c.name },
  { key: 'Email', value: c.email ?? none },
  { key: 'Phone', value: c.phone ?? none },
  { key: 'Address', value: c.address ? multiline(c.address) : none },
  { key: 'Preferred contact', value: CONTACT_WORDS[c.preferredContact] ?? c.preferredContact },
  {
    key: 'Reasonable adjustments',
    value: c.reasonableAdjustments ? multiline(c.reasonableAdjustments) : html`None recorded`,
  },
  { key: 'Vulnerability', value: c.vulnerability ? multiline(c.vulnerability) : html`None recorded` },
  {
    key: 'Representative',
    value: c.representative
      ? html`${c.representative.name} (${c.representative.relationship}); consent ${c.representative.consentRecorded ? 'recorded' : 'not recorded'}${c.representative.email ? `; ${c.representative.email}` : ''}${c.representative.phone ? `; ${c.representative.phone}` : ''}`
      : html`None`,
  },
])}`;
}
