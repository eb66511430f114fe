import type { CaseStatus, Channel, ClosureReason } from '#shared/domain/case.ts';
import type { ResidentTemplate } from '#shared/domain/correspondence.ts';
import type { Decision } from '#shared/domain/letters.ts';
import type { TagColour } from '../ui/components.ts';

/** Words for the resident's pages: every code the domain uses, as the resident is told it. */

export const STATUS_WORDS: Record<CaseStatus, { text: string; colour: TagColour }> = {
  'awaiting-triage': { text: 'Received', colour: 'blue' },
  'stage1-acknowledgement': { text: 'Accepted: waiting for our acknowledgement', colour: 'blue' },
  'stage1-investigation': { text: 'Being looked into', colour: 'yellow' },
  'stage1-responded': { text: 'Stage 1 response sent', colour: 'turquoise' },
  'stage2-acknowledgement': { text: 'Stage 2 requested', colour: 'blue' },
  'stage2-investigation': { text: 'Being reviewed at stage 2', colour: 'yellow' },
  'final-response-issued': { text: 'Final response sent', colour: 'turquoise' },
  closed: { text: 'Closed', colour: 'grey' },
};

export const CLOSURE_WORDS: Record<ClosureReason, string> = {
  'service-request': 'we are dealing with what you told us as a service request',
  'not-accepted': 'we could not accept it as a complaint',
  'resolved-at-stage-1': 'it was resolved at stage 1',
  'escalation-window-ended': 'the time to ask for stage 2 ended without a request',
  'final-response-issued': 'we have sent our final response and completed any actions we promised',
  withdrawn: 'it was withdrawn',
};

export const CHANNEL_WORDS: Record<Channel, string> = {
  web: 'through our website',
  email: 'by email',
  phone: 'by phone',
  letter: 'by letter',
  'in-person': 'in person',
  'social-media': 'through social media',
};

export const DECISION_WORDS: Record<Decision, string> = {
  upheld: 'We have upheld your complaint.',
  'partly-upheld': 'We have partly upheld your complaint.',
  'not-upheld': 'We have not upheld your complaint.',
};

export const LETTER_TITLES: Record<ResidentTemplate, string> = {
  'complaint-received': 'We have received your complaint',
  'not-accepted': 'We are unable to accept your complaint',
  'service-request': 'We are dealing with your request',
  'stage1-acknowledgement': 'Acknowledgement of your complaint (stage 1)',
  'extension-notice': 'We need more time for our response',
  'stage1-response': 'Our stage 1 response',
  'stage2-acknowledgement': 'Acknowledgement of your stage 2 request',
  'final-response': 'Our final response (stage 2)',
  'withdrawal-confirmed': 'Your complaint has been withdrawn',
  'case-closed': 'Your complaint has been closed',
  'deadline-missed': 'We are sorry: our reply is late',
  'due-date-moved': 'The date you will hear from us has changed',
};
