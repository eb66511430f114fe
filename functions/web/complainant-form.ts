import { type ContactDetail, missingContactDetail } from '#shared/domain/case.ts';

/**
 * The complainant as the resident's complaint form and the staff log form both send it: the intake schema's
 * `complainant`, unchecked (the schema checks it), with an empty answer as no answer. Only a form that asks
 * whether someone complains on the resident's behalf (`onBehalf`) can name a representative.
 */
export function complainantFromForm(read: (name: string) => string, options: { onBehalf?: boolean } = {}) {
  const optional = (name: string) => read(name) || undefined;
  return {
    name: read('name'),
    email: optional('email'),
    phone: optional('phone'),
    address: optional('address'),
    preferredContact: optional('preferredContact'),
    reasonableAdjustments: optional('reasonableAdjustments'),
    vulnerability: optional('vulnerability'),
    representative:
      options.onBehalf && read('onBehalf') === 'yes'
        ? {
            name: read('representativeName'),
            relationship: read('representativeRelationship'),
            consentRecorded: read('representativeConsent') === 'yes',
          }
        : undefined,
  };
}

/**
 * The form field that the chosen way of contacting them needs, when it is empty (`CONTACT_DETAIL`): both
 * forms name their fields after the complainant's, so the detail is the field. `words` says it per audience.
 */
export function contactDetailError(
  complainant: ReturnType<typeof complainantFromForm>,
  words: Record<ContactDetail, string>,
): { field: ContactDetail; message: string } | undefined {
  const missing = missingContactDetail(complainant);
  return missing ? { field: missing, message: words[missing] } : undefined;
}
