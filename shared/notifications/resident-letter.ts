/**
 * What every resident letter shares (the greeting, case link, contacts and sign-off around its body) and the
 * pieces several letters use. Apart from the letters themselves so a function that renders only some of them
 * carries only those: the staff case page previews three (stage-letters.ts), within the 300 KB bundle limit.
 */

import type { CaseEvent, CaseState, Complainant } from '../domain/case.ts';
import type { ResidentTemplate } from '../domain/correspondence.ts';
import { currentOmbudsman } from '../policy/ombudsmen.ts';
import type { Contact, ProviderProfile } from '../policy/profile.ts';
import { type Block, type Inline, joinList, oneLine, p, type RenderedMessage, render } from './document.ts';
import { formatCivilDate } from './words.ts';

export interface ResidentMessageInput {
  template: ResidentTemplate;
  /** The case after the triggering event was applied. */
  state: CaseState;
  /** The triggering event (e.g. 'extension-granted' or 'response-issued'). */
  event: CaseEvent;
  profile: ProviderProfile;
  /** The resident's private case page (a signed link); never a task token. */
  caseLink: string;
}

/** A letter's own part, between the greeting and the contacts. */
export interface ResidentBody {
  title: string;
  blocks: Block[];
  /** Whether the body already gives the ombudsman's details (otherwise an advice paragraph is added). */
  ombudsman: boolean;
}

/** "phone ..., email ..., website ... or write to ..." for a contact, with links. */
export function contactDetails(contact: Contact, options: { address?: boolean } = {}): Inline[] {
  const parts: Inline[][] = [];
  if (contact.phone)
    parts.push(['phone ', { href: `tel:${contact.phone.replace(/[^\d+]/g, '')}`, label: contact.phone }]);
  if (contact.email) parts.push(['email ', { href: `mailto:${contact.email}`, label: contact.email }]);
  if (contact.website) parts.push(['visit ', { href: contact.website, label: contact.website }]);
  if (contact.address && options.address !== false) parts.push([`write to ${contact.address}`]);
  return joinList(parts);
}

export function ombudsmanAdvice(profile: ProviderProfile): Block {
  return p(
    `For free, independent advice about your complaint at any time, you can contact the ${profile.ombudsman.name}: `,
    ...contactDetails(currentOmbudsman(profile)),
    '.',
  );
}

function greeting(complainant: Complainant): Block[] {
  const representative = complainant.representative;
  if (!representative) return [p(`Dear ${oneLine(complainant.name)},`)];
  return [
    p(`Dear ${oneLine(representative.name)},`),
    p(
      `We are writing to you because you act for ${oneLine(complainant.name)} on this complaint ` +
        `(${oneLine(representative.relationship)}), with their consent.`,
    ),
  ];
}

function caseLinkBlock(state: CaseState, caseLink: string): Block {
  return p(
    `Your complaint reference is ${oneLine(state.reference)}. You can see your complaint, and what happens next, on your case page: `,
    { href: caseLink, label: caseLink },
  );
}

function landlordContact(profile: ProviderProfile): Block {
  return p(
    `If you have any questions, contact the ${profile.contact.name} at ${profile.name}: `,
    ...contactDetails(profile.contact),
    '. Please quote your complaint reference.',
  );
}

function adjustmentsOffer(): Block {
  return p(
    'If you need this letter in another format or language, or need us to make any adjustments so you can take part in the complaints process, please tell us.',
  );
}

function signOff(profile: ProviderProfile): Block {
  const names = [profile.letters.signature, profile.letters.senderName, profile.name].filter(
    (name, index, all) => all.indexOf(name) === index,
  );
  return { kind: 'lines', lines: [['Yours sincerely,'], ...names.map((name) => [name])] };
}

export function stageKey(stage: 1 | 2): 'stage1' | 'stage2' {
  return stage === 1 ? 'stage1' : 'stage2';
}

export function responseDue(state: CaseState, stage: 1 | 2, profile: ProviderProfile): string {
  const due = state[stageKey(stage)].response?.dueDate;
  if (due) return formatCivilDate(due);
  const days = profile.stages[stage - 1]?.respondWorkingDays;
  return days ? `within ${days} working days` : 'as soon as we can';
}

export function wrongEvent(template: ResidentTemplate, wanted: string, event: CaseEvent): never {
  throw new TypeError(`The "${template}" letter needs the ${wanted} event, not "${event.type}"`);
}

/** A letter's body in the frame every resident letter shares. */
export function residentLetter(input: ResidentMessageInput, body: ResidentBody): RenderedMessage {
  const { state, profile, caseLink } = input;
  const blocks: Block[] = [
    ...greeting(state.complainant),
    ...body.blocks,
    caseLinkBlock(state, caseLink),
    ...(body.ombudsman ? [] : [ombudsmanAdvice(profile)]),
    landlordContact(profile),
    adjustmentsOffer(),
    signOff(profile),
  ];
  return render(`${body.title} - ${profile.name} complaint ${state.reference}`, blocks);
}
