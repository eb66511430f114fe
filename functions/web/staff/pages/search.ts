import { findCases, type SearchKind, type SearchResult } from '#shared/usecases/search.ts';
import { staffPage } from '../../staff-route.ts';
import { button, errorFor, errorSummary, type FieldError, table, textInput } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import { instantWords, STATUS_WORDS } from '../words.ts';
import { caseLink, refusal } from './common.ts';

/** Finding a case by reference, or the resident's name, email or phone. */

export function searchForm(query: string, errors: FieldError[] = []): SafeHtml {
  return html`<form method="get" action="/staff/search" novalidate role="search" class="govuk-!-margin-bottom-6" data-testid="case-search">
  ${textInput({
    name: 'q',
    label: 'Find a case',
    hint: "A reference like CMP-2026-000123, or the resident's full name, surname, email address or phone number",
    error: errorFor(errors, 'q'),
    value: query,
    spellcheck: false,
  })}
  ${button('Search', { secondary: true })}
</form>`;
}

const SEARCH_KIND_WORDS: Record<SearchKind, string> = {
  reference: 'the reference',
  email: 'the email address',
  phone: 'the phone number',
  name: 'the name',
};

/** GET /staff/search?q=: cases by reference, or the resident's name, email or phone (exact lookups). */
export const searchPage = staffPage(async (ctx) => {
  const query = ctx.event.queryStringParameters?.q ?? '';
  if (!query.trim()) {
    return ctx.render('Find a case', html`<h1 class="govuk-heading-l">Find a case</h1>${searchForm('')}`);
  }
  let found: SearchResult;
  try {
    found = await findCases(ctx.deps, query);
  } catch (error) {
    const problem = refusal(error);
    if (!problem) throw error;
    const errors = [{ field: 'q', message: problem.message }];
    return ctx.render(
      'Find a case',
      html`${errorSummary(errors)}<h1 class="govuk-heading-l">Find a case</h1>${searchForm(query, errors)}`,
      { status: problem.status, hasErrors: true },
    );
  }
  const { kind, cases } = found;
  const results =
    cases.length === 0
      ? html`<p class="govuk-body" data-testid="search-empty">No case matches ${SEARCH_KIND_WORDS[kind]} “${query.trim()}”. Names must be whole words (a full name, or one name such as the surname); email addresses and phone numbers must be complete.</p>`
      : table({
          caption: `${cases.length} case${cases.length === 1 ? '' : 's'} matching ${SEARCH_KIND_WORDS[kind]}, newest first`,
          head: ['Reference', 'Resident', 'Status', 'Received'],
          rows: cases.map((state) => [
            caseLink(state.caseId, state.reference),
            state.complainant.name,
            STATUS_WORDS[state.status],
            instantWords(state.receivedAt),
          ]),
        });
  return ctx.render(
    'Find a case',
    html`<h1 class="govuk-heading-l">Find a case</h1>${searchForm(query)}<div data-testid="search-results">${results}</div>`,
  );
});
