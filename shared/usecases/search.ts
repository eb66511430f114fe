import type { CaseState } from '../domain/case.ts';
import { ValidationError } from '../domain/errors.ts';
import { contactHash, nameHash, nameWords } from '../domain/secrets.ts';
import type { AppDependencies } from './dependencies.ts';

/** What the text was taken to be: each kind is one exact lookup, never a scan of the table. */
export type SearchKind = 'reference' | 'email' | 'phone' | 'name';

export interface SearchResult {
  kind: SearchKind;
  cases: CaseState[];
}

/** One line of a search result: enough to tell cases apart and open one, no contact details. */
export interface CaseSummary {
  caseId: string;
  reference: string;
  name: string;
  status: CaseState['status'];
  stage: CaseState['stage'];
  receivedAt: string;
}

export function summariseCase(state: CaseState): CaseSummary {
  return {
    caseId: state.caseId,
    reference: state.reference,
    name: state.complainant.name,
    status: state.status,
    stage: state.stage,
    receivedAt: state.receivedAt,
  };
}

export const MAX_SEARCH_LENGTH = 200;
export const MAX_SEARCH_RESULTS = 50;
// Each word of a name that is not a whole name is one lookup: a cap keeps a pasted paragraph from fanning out.
export const MAX_NAME_WORDS = 5;

const REFERENCE = /^CMP-?(\d{4})-?(\d{1,6})$/i;
const PHONE = /^\+?[\d\s()-]{7,20}$/;

/** The reference typed (any case, dashes and leading zeros optional) in its stored form, or undefined. */
export function normaliseReference(text: string): string | undefined {
  const match = REFERENCE.exec(text.trim());
  if (!match) return undefined;
  const [, year, number] = match;
  return `CMP-${year}-${(number ?? '').padStart(6, '0')}`;
}

/** Whether the text is an email address or a phone number (each is found by its `contactHash`). */
export function contactKind(text: string): 'email' | 'phone' | undefined {
  const query = text.trim();
  if (query.includes('@')) return 'email';
  return PHONE.test(query) ? 'phone' : undefined;
}

function byNewest(cases: readonly CaseState[]): CaseState[] {
  return [...cases].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt)).slice(0, MAX_SEARCH_RESULTS);
}

/**
 * Finds cases by reference (CMP-2026-000123, any case, dashes optional), email address, phone number, or the
 * resident's name (the whole name or one word of it, such as the surname: accents, case and punctuation do
 * not matter, but the words must be whole). Newest first, at most MAX_SEARCH_RESULTS.
 */
export async function findCases(deps: AppDependencies, text: string): Promise<SearchResult> {
  const query = text.trim();
  if (!query) {
    throw new ValidationError('Enter a reference, the resident’s name, email address or phone number');
  }
  if (query.length > MAX_SEARCH_LENGTH) {
    throw new ValidationError(`Search for ${MAX_SEARCH_LENGTH} characters or fewer`);
  }
  const { repository, secrets } = deps;
  const reference = normaliseReference(query);
  if (reference) {
    const caseId = await repository.findCaseIdByReference(reference);
    const state = caseId ? await repository.getProjection(caseId) : undefined;
    return { kind: 'reference', cases: state ? [state] : [] };
  }
  const contact = contactKind(query);
  if (contact) {
    return {
      kind: contact,
      cases: byNewest(await repository.listByContact(contactHash(secrets.contactHashKey, query))),
    };
  }
  const words = nameWords(query);
  if (words.length === 0) {
    throw new ValidationError(
      'Enter a reference like CMP-2026-000123, a name, an email address or a phone number',
    );
  }
  if (new Set(words).size > MAX_NAME_WORDS) {
    throw new ValidationError(`Search for a name of ${MAX_NAME_WORDS} words or fewer`);
  }
  const whole = await repository.listByName(nameHash(secrets.contactHashKey, words));
  if (whole.length > 0 || words.length === 1) return { kind: 'name', cases: byNewest(whole) };
  // "Smith Ada" or "Ada Smith" typed for "Ada Jane Smith": the cases that have every word.
  const perWord = await Promise.all(
    [...new Set(words)].map((word) => repository.listByName(nameHash(secrets.contactHashKey, [word]))),
  );
  const [first = [], ...rest] = perWord;
  const all = first.filter((state) =>
    rest.every((found) => found.some((other) => other.caseId === state.caseId)),
  );
  return { kind: 'name', cases: byNewest(all) };
}
