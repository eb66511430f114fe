import type { Jurisdiction, ProviderProfile } from './profile.ts';

/**
 * The contact details each ombudsman publishes, as letters must quote them. A profile may give fewer; any it gives
 * must match. Several values are accepted where the ombudsman publishes more than one (SPSO's freephone and
 * Edinburgh numbers; its street address and Freepost).
 */
export interface CanonicalOmbudsman {
  phones: readonly string[];
  emails: readonly string[];
  /** Host names, compared without "www.". */
  websites: readonly string[];
  /** A postal address matches when it contains one of these (compared without case or spaces). */
  addressMarkers: readonly string[];
  /** The postal address letters give in place of a stale one. */
  address: string;
  /** How the details read in a letter, for the finding's "limit". */
  display: string;
  /** The rule that letters quote the details, and where the current details were read. */
  provision: string;
}

export const CANONICAL_OMBUDSMEN: Record<Jurisdiction, CanonicalOmbudsman> = {
  england: {
    phones: ['0300 111 3000'],
    emails: ['info@housing-ombudsman.org.uk'],
    websites: ['housing-ombudsman.org.uk'],
    // The Liverpool box (PO Box 152, L33 7WQ) is the Ombudsman's old address; post now goes to Preston.
    addressMarkers: ['PO Box 1484, Unit D, Preston, PR2 0ET'],
    address: 'Housing Ombudsman Service, PO Box 1484, Unit D, Preston, PR2 0ET',
    display:
      'Housing Ombudsman Service, PO Box 1484, Unit D, Preston, PR2 0ET; 0300 111 3000; info@housing-ombudsman.org.uk; www.housing-ombudsman.org.uk',
    provision:
      'Code 6.5, 6.16, 6.20: letters give the Ombudsman contact details (current details: seeds/000_7fa805981931e23e.txt:46-50, October 2025; the same on Manchester and Welwyn Hatfield council pages)',
  },
  scotland: {
    phones: ['0800 377 7330', '0131 225 5300'],
    emails: [],
    websites: ['spso.org.uk'],
    addressMarkers: ['EH7 4NS', 'Freepost SPSO'],
    address: 'SPSO, Bridgeside House, 99 McDonald Road, Edinburgh EH7 4NS',
    display:
      'SPSO, Bridgeside House, 99 McDonald Road, Edinburgh EH7 4NS (or Freepost SPSO); 0800 377 7330; www.spso.org.uk',
    provision:
      'SPSO MCHP: the final response gives the SPSO contact details (current details as published on mygov.scot and by Aberdeen City Council)',
  },
  wales: {
    phones: ['0300 790 0203'],
    emails: [],
    websites: ['ombudsman.wales'],
    addressMarkers: ['CF35 5LJ'],
    address: 'Public Services Ombudsman for Wales, 1 Ffordd yr Hen Gae, Pencoed CF35 5LJ',
    display:
      'Public Services Ombudsman for Wales, 1 Ffordd yr Hen Gae, Pencoed CF35 5LJ; 0300 790 0203; www.ombudsman.wales',
    provision:
      'PSOW: the final response gives the Ombudsman contact details (current details from www.ombudsman.wales, privacy notice and freedom of information pages)',
  },
};

export const OMBUDSMAN_DETAILS = ['phone', 'email', 'website', 'address'] as const;
export type OmbudsmanDetail = (typeof OMBUDSMAN_DETAILS)[number];

const digits = (value: string) => value.replace(/\D/g, '');
/** Lower case, letters and digits only: addresses compare whatever their punctuation. */
export const squashed = (value: string) => value.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The host of a website however it is written: with or without a scheme, "www." or a path. */
export function websiteHost(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^www\./, '')
    .split(/[/?#:]/)[0] as string;
}

/** Whether one of the profile's ombudsman details is what the ombudsman publishes (an absent one is). */
export function isCurrentOmbudsmanDetail(profile: ProviderProfile, key: OmbudsmanDetail): boolean {
  const canonical = CANONICAL_OMBUDSMEN[profile.jurisdiction];
  const value = profile.ombudsman[key];
  if (!value) return true;
  switch (key) {
    case 'phone':
      return canonical.phones.some((phone) => digits(phone) === digits(value));
    case 'email':
      return canonical.emails.length === 0 || canonical.emails.includes(value.toLowerCase());
    case 'website':
      return canonical.websites.includes(websiteHost(value));
    case 'address':
      return canonical.addressMarkers.some((marker) => squashed(value).includes(squashed(marker)));
  }
}

/** The profile's ombudsman details that differ from the published ones (the linter reports each). */
export function staleOmbudsmanDetails(profile: ProviderProfile): OmbudsmanDetail[] {
  return OMBUDSMAN_DETAILS.filter((key) => !isCurrentOmbudsmanDetail(profile, key));
}

/**
 * The ombudsman as letters quote it: the profile's details, each stale one replaced by the published one, so a
 * letter never sends a resident to an old address while the profile awaits its fix.
 */
export function currentOmbudsman(profile: ProviderProfile): ProviderProfile['ombudsman'] {
  const canonical = CANONICAL_OMBUDSMEN[profile.jurisdiction];
  const published: Record<OmbudsmanDetail, string | undefined> = {
    phone: canonical.phones[0],
    email: canonical.emails[0],
    website: canonical.websites[0] && `https://www.${canonical.websites[0]}`,
    address: canonical.address,
  };
  const current = { ...profile.ombudsman };
  for (const key of staleOmbudsmanDetails(profile)) {
    const value = published[key];
    if (value) current[key] = value;
    else delete current[key];
  }
  return current;
}
