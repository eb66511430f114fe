import { type Actor, applyCaseEvent, type CaseState, openActions } from '../domain/case.ts';
import { DomainError } from '../domain/errors.ts';
import { stageResponseProblems } from '../domain/letters.ts';
import { renderStageLetter, type StageLetter } from '../notifications/stage-letters.ts';
import type { TaskRecord } from '../ports/case-repository.ts';
import { eventFor, type TaskAction } from './actions.ts';
import type { AppDependencies } from './dependencies.ts';

/** Stands where the resident's private link goes: a preview must not mint a real one. */
const CASE_LINK_PLACEHOLDER = "[the resident's private case page link]";

/** A letter as it would be sent, what stops it being sent, and (for an extension) the new response date. */
export interface LetterPreview {
  action: 'extend' | 'respond';
  subject: string;
  text: string;
  problems: string[];
  newDueDate?: string;
}

/**
 * Previews an extension notice or a stage response before staff send it: what the resident would be sent if
 * it were sent now (nothing is recorded).
 *
 * Primary course:
 * 1. Build the event the action would record (`eventFor`, at the task's stage), at the Clock's now.
 * 2. Apply it to the case as recording would (an extension the rules refuse throws here, as sending would).
 * 3. Render the letter it would send; a response lists what the Code still needs.
 */
export function previewLetter(
  deps: AppDependencies,
  state: CaseState,
  task: TaskRecord,
  by: Extract<Actor, { kind: 'staff' }>,
  action: Extract<TaskAction, { action: 'extend' | 'respond' }>,
): LetterPreview {
  const stage = task.step.startsWith('stage2-') ? 2 : 1;
  const event = eventFor(action, state, by, deps.clock.now().toISOString(), stage);
  const { profile } = deps.context;
  const letter = (template: StageLetter, next: CaseState) => {
    const { subject, text } = renderStageLetter({
      template,
      state: next,
      event,
      profile,
      caseLink: CASE_LINK_PLACEHOLDER,
    });
    return { subject, text };
  };
  if (event.type === 'extension-granted') {
    // Applying the event checks it as sending would (allowed reason, cap, not after the deadline).
    const next = applyCaseEvent(state, event, deps.context);
    const newDueDate = (stage === 1 ? next.stage1 : next.stage2).response?.dueDate;
    return { action: 'extend', ...letter('extension-notice', next), problems: [], newDueDate };
  }
  if (event.type !== 'response-issued') throw new Error(`No letter to preview for ${event.type}`);
  const problems = stageResponseProblems(event.letter, stage, profile, openActions(state));
  let next = state;
  try {
    next = applyCaseEvent(state, event, deps.context);
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'INCOMPLETE_LETTER') throw error;
  }
  return { action: 'respond', ...letter(stage === 1 ? 'stage1-response' : 'final-response', next), problems };
}
