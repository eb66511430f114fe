import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CaseLinkError, type CaseLinkProblem } from '#shared/domain/errors.ts';
import { CASE_LINK_DAYS } from '#shared/usecases/dependencies.ts';
import { toHttpError } from '../../lib/errors.ts';
import { type PageContext, webPage } from '../route.ts';
import { html } from '../ui/html.ts';
import { contactList } from './text.ts';

/**
 * The pages a resident reaches through the signed link in their letters. A link that does not open the case
 * (cut short, expired, for another case, or none) is not a dead end: the page says what to do next. No new
 * link is made here: every letter carries a fresh one, and the landlord's team can help with the reference.
 */

const LINK_MONTHS = Math.round(CASE_LINK_DAYS / 30.4);

const PAGES: Record<CaseLinkProblem, { title: string; why: string }> = {
  missing: {
    title: 'Open your complaint from the link we sent you',
    why: 'This page needs the private link from one of our emails or letters about your complaint.',
  },
  invalid: {
    title: 'This link to your complaint does not work',
    why: 'It may have been cut short or changed, for example when it was copied from an email over two lines.',
  },
  expired: {
    title: 'This link to your complaint has expired',
    why: `Each link to your complaint works for ${LINK_MONTHS} months from the day we sent it.`,
  },
  'other-case': {
    title: 'This link is for a different complaint',
    why: 'The link and the page it opens are for different complaints, so we cannot show either.',
  },
};

function linkProblemPage(ctx: PageContext, error: CaseLinkError): APIGatewayProxyStructuredResultV2 {
  const { contact } = ctx.profile;
  const { title, why } = PAGES[error.problem];
  return ctx.render(
    title,
    html`<h1 class="govuk-heading-l">${title}</h1>
<p class="govuk-body" data-testid="error-message">${why}</p>
<h2 class="govuk-heading-m">What you can do</h2>
<p class="govuk-body" data-testid="latest-link">Every email and letter we send you about your complaint has a link to it. Use the link in the most recent one, and copy all of it if you paste it into your browser.</p>
<p class="govuk-body" data-testid="contact-us">If you cannot find it, or it does not work either, contact the ${contact.name} and give your complaint reference (it is in every email and letter we send you, next to the link):</p>
${contactList(contact)}
<p class="govuk-body"><a class="govuk-link" href="/">Return to the start page</a></p>`,
    { status: toHttpError(error)?.statusCode ?? 403 },
  );
}

/** A resident page opened through their case link: a link problem gets the page above, anything else as usual. */
export function linkedPage(run: (ctx: PageContext) => Promise<APIGatewayProxyStructuredResultV2>) {
  return webPage(async (ctx) => {
    try {
      return await run(ctx);
    } catch (error) {
      if (error instanceof CaseLinkError) return linkProblemPage(ctx, error);
      throw error;
    }
  });
}
