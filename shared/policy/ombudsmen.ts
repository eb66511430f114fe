import type { Jurisdiction } from './profile.ts';

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
    display:
      'Public Services Ombudsman for Wales, 1 Ffordd yr Hen Gae, Pencoed CF35 5LJ; 0300 790 0203; www.ombudsman.wales',
    provision:
      'PSOW: the final response gives the Ombudsman contact details (current details from www.ombudsman.wales, privacy notice and freedom of information pages)',
  },
};
