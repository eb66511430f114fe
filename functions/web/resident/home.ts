import { webPage } from '../route.ts';
import { html } from '../ui/html.ts';
import { contactList, linkButton, phoneLink } from './text.ts';

/** The start page: make a complaint, or read how. */

export const homePage = webPage(async (ctx) => {
  const { profile } = ctx;
  const { contact } = profile;
  return ctx.render(
    `Make a complaint to ${profile.name}`,
    html`<h1 class="govuk-heading-xl">Make a complaint to ${profile.name}</h1>
<p class="govuk-body">Use this service to tell us if you are unhappy with our service, something we have done, or something we have not done.</p>
<p class="govuk-body">You will need to tell us:</p>
<ul class="govuk-list govuk-list--bullet">
  <li>what went wrong, and when</li>
  <li>what you would like us to do to put things right</li>
  <li>how we should contact you</li>
</ul>
<p class="govuk-body">It takes around 10 minutes.</p>
${linkButton('/complain', 'Start now', 'start')}
<h2 class="govuk-heading-m">Other ways to complain</h2>
<p class="govuk-body">You can also complain by phone, email or letter to the ${contact.name}:</p>
${contactList(contact)}
<h2 class="govuk-heading-m">Complaining for someone else</h2>
<p class="govuk-body">Someone can complain on your behalf, such as a family member, friend, advocate or councillor, if you agree to it.</p>
<h2 class="govuk-heading-m">More about complaints</h2>
<p class="govuk-body"><a class="govuk-link" href="/how-to-complain">Read how to complain and what happens next</a>, including how long each stage takes.</p>
<p class="govuk-body">You can contact the ${profile.ombudsman.name} at any time for free, impartial advice${profile.ombudsman.phone ? html` on ${phoneLink(profile.ombudsman.phone)}` : html``}.</p>`,
  );
});
