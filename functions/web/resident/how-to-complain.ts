import { laterFromEventWords, referralTimeLimitWords } from '#shared/domain/letters.ts';
import { currentOmbudsman } from '#shared/policy/ombudsmen.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { webPage } from '../route.ts';
import { summaryList } from '../ui/components.ts';
import { html, join, type SafeHtml, when } from '../ui/html.ts';
import {
  contactList,
  durationWords,
  emailLink,
  paragraphs,
  phoneLink,
  responseClockWords,
  stageName,
  webLink,
  workingDays,
} from './text.ts';

/** How to complain: the policy's stages, times, exclusions and the Ombudsman. */

/**
 * Each stage's times as a summary list under the stage's name, not one table with a column per time: four
 * columns of words need about 430 px, wider than a 375 px phone, and a summary list stacks its key above its
 * value on a small screen (the GOV.UK way to keep a page from scrolling sideways, WCAG 1.4.10).
 */
function stageTimes(profile: ProviderProfile): SafeHtml {
  return html`<h3 class="govuk-heading-m" data-testid="stage-times">How long each stage takes</h3>
${join(
  profile.stages.map(
    (stage, index) => html`<h4 class="govuk-heading-s">${stage.name}</h4>
${summaryList([
  {
    key: 'We acknowledge within',
    value: `${workingDays(stage.acknowledgeWorkingDays)} ${index === 0 ? 'of receiving your complaint' : 'of your request'}`,
  },
  {
    key: 'We respond within',
    value: `${workingDays(stage.respondWorkingDays)} ${responseClockWords(stage, index)}`,
  },
  {
    key: 'Most extra time if we need it',
    value:
      stage.extension.maxWorkingDays === null
        ? 'We will explain why and give you a new date'
        : `${workingDays(stage.extension.maxWorkingDays)}, and we will explain why`,
  },
])}`,
  ),
)}`;
}

export const howToComplain = webPage(async (ctx) => {
  const { profile } = ctx;
  const ombudsman = currentOmbudsman(profile);
  const stage2 = profile.stages.length > 1 ? stageName(profile, 2) : undefined;
  const ombudsmanRows = [
    ...(ombudsman.phone ? [{ key: 'Phone', value: phoneLink(ombudsman.phone) }] : []),
    ...(ombudsman.email ? [{ key: 'Email', value: emailLink(ombudsman.email) }] : []),
    ...(ombudsman.website ? [{ key: 'Website', value: webLink(ombudsman.website) }] : []),
    ...(ombudsman.address ? [{ key: 'Address', value: ombudsman.address }] : []),
  ];
  return ctx.render(
    'How to complain',
    html`<h1 class="govuk-heading-l">How to complain to ${profile.name}</h1>
<h2 class="govuk-heading-m">What a complaint is</h2>
<div class="govuk-inset-text">${profile.complaintDefinition}</div>
<p class="govuk-body">You do not have to use the word ‘complaint’: if you tell us you are unhappy, we will treat it as a complaint unless it is a first request for a service (for example, reporting a repair for the first time).</p>
<h2 class="govuk-heading-m">How to make a complaint</h2>
<p class="govuk-body"><a class="govuk-link" href="/complain">Make a complaint online</a>, or contact the ${profile.contact.name}:</p>
${contactList(profile.contact)}
<p class="govuk-body">Complaints should normally be made within ${durationWords(profile.raisingWindow)} of the problem happening, or of you becoming aware of it. If it was longer ago, tell us why: we will consider it if there is a good reason.</p>
<h2 class="govuk-heading-m">Someone can complain for you</h2>
<p class="govuk-body">A family member, friend, advocate, councillor or anyone else you choose can make a complaint on your behalf, with your agreement.</p>
<h2 class="govuk-heading-m">Help and adjustments</h2>
<p class="govuk-body">Tell us if you need any support or adjustments to take part, for example letters in large print or another language, an interpreter, or calls at a particular time. We will make reasonable adjustments and keep a record of them.</p>
<h2 class="govuk-heading-m">What happens to your complaint</h2>
<p class="govuk-body">Our complaints process has ${profile.stages.length === 2 ? 'two stages' : `${profile.stages.length} stage${profile.stages.length === 1 ? '' : 's'}`}. Working days are Monday to Friday, not counting bank holidays.</p>
${join(
  profile.stages.map(
    (stage, index) => html`<h3 class="govuk-heading-s">${stage.name}</h3>
<p class="govuk-body">We will acknowledge your ${index === 0 ? 'complaint' : 'request'} within ${workingDays(stage.acknowledgeWorkingDays)} and tell you what we understand it to be about. We will send our ${index === profile.stages.length - 1 && index > 0 ? 'final ' : ''}response within ${workingDays(stage.respondWorkingDays)} ${responseClockWords(stage, index)}.</p>
<p class="govuk-body">${
      stage.extension.maxWorkingDays === null
        ? 'If we need more time, we will tell you why and when you will have our response.'
        : `If we need more time, we will tell you why and when you will have our response. We will not take more than ${workingDays(stage.extension.maxWorkingDays)} extra.`
    }</p>`,
  ),
)}
${stageTimes(profile)}
${when(
  stage2,
  () => html`<h2 class="govuk-heading-m">Asking for ${(stage2 ?? '').toLowerCase()}</h2>
<p class="govuk-body">If you are unhappy with our ${stageName(profile, 1).toLowerCase()} response, you can ask us to look at your complaint again at ${(stage2 ?? '').toLowerCase()}. Someone who was not involved at ${stageName(profile, 1).toLowerCase()} will review it. You do not need to give a reason.</p>
<p class="govuk-body">${
    profile.escalationWindow
      ? `You can ask within ${durationWords(profile.escalationWindow)} of our ${stageName(profile, 1).toLowerCase()} response${laterFromEventWords(profile.escalationWindow)}.`
      : 'There is no time limit for asking.'
  }</p>`,
)}
<h2 class="govuk-heading-m">What we may not be able to accept as a complaint</h2>
<p class="govuk-body">We will always explain our decision, and you can ask the ${ombudsman.name} to look at it.</p>
<ul class="govuk-list govuk-list--bullet">${join(profile.exclusions.map((exclusion) => html`<li>${exclusion.description}</li>`))}</ul>
<h2 class="govuk-heading-m">Putting things right</h2>
${paragraphs(profile.compensation.summary)}
<h2 class="govuk-heading-m">The ${ombudsman.name}</h2>
<p class="govuk-body">You can contact the ${ombudsman.name} at any time for free, impartial advice, including while we are looking at your complaint.</p>
<p class="govuk-body">If you are still unhappy after our final response, you can ask the ${ombudsman.name} to investigate. You should do this ${referralTimeLimitWords(profile)}.</p>
${summaryList([{ key: 'Name', value: ombudsman.name }, ...ombudsmanRows])}
${when(
  profile.otherRegulators.length > 0,
  () => html`<h2 class="govuk-heading-m">Other organisations</h2>
<ul class="govuk-list govuk-list--bullet">${join(
    profile.otherRegulators.map(
      (regulator) =>
        html`<li>For ${regulator.appliesTo}: ${regulator.website ? webLink(regulator.website, regulator.name) : regulator.name}</li>`,
    ),
  )}</ul>`,
)}`,
  );
});
