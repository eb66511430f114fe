import { type Actor, type CaseEvent, type CaseState, foldCase } from '../domain/case.ts';
import { RESIDENT_TEMPLATES, type ResidentTemplate } from '../domain/correspondence.ts';
import { renderResidentMessage } from '../notifications/templates.ts';
import { loadCase, recordEvent } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';
import { resendOwedCallbacks } from './workflow.ts';

/** Letters carry the resident's private link; the pack is for the Ombudsman, so it never reproduces it. */
export const PACK_CASE_LINK = "[the resident's private case page link: not reproduced in the evidence pack]";

/** One letter the case records as sent, as it was rendered from the case at the time. */
export interface PackLetter {
  /** template#seq: the event that called for it. */
  key: string;
  template: ResidentTemplate;
  sentAt: string;
  channel: 'email' | 'post';
  recipient: string;
  subject: string;
  text: string;
}

/** One file on the case (sent with the complaint or with a later email), and its bytes where asked for. */
export interface PackFile {
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  from: string;
  bytes?: Uint8Array;
}

export interface EvidencePack {
  state: CaseState;
  events: readonly CaseEvent[];
  letters: PackLetter[];
  files: PackFile[];
  /** Files listed on the case whose bytes could not be read (the pack says so rather than omit them silently). */
  missingFiles: string[];
}

function isResidentTemplate(template: string): template is ResidentTemplate {
  return (RESIDENT_TEMPLATES as readonly string[]).includes(template);
}

/** Every letter recorded as sent, re-rendered from the case as it stood when the letter was called for. */
export function lettersSent(
  deps: AppDependencies,
  caseId: string,
  events: readonly CaseEvent[],
  caseLink = PACK_CASE_LINK,
): PackLetter[] {
  const letters: PackLetter[] = [];
  for (const event of events) {
    if (event.type !== 'correspondence-sent' || !isResidentTemplate(event.template)) continue;
    const seq = Number(event.key.split('#')[1]);
    const trigger = events[seq - 1];
    if (!trigger) continue;
    const message = renderResidentMessage({
      template: event.template,
      state: foldCase(caseId, events.slice(0, seq), deps.context),
      event: trigger,
      profile: deps.context.profile,
      caseLink,
    });
    letters.push({
      key: event.key,
      template: event.template,
      sentAt: event.at,
      channel: event.channel,
      recipient: event.recipient,
      subject: message.subject,
      text: message.text,
    });
  }
  return letters;
}

/**
 * Prepares the Ombudsman evidence pack for one case (the Ombudsman's complaint-handling failure orders are mostly
 * about slow evidence).
 *
 * Primary course:
 * 1. Record on the case that the pack was prepared, by whom and in which form (the log is the audit trail).
 * 2. Read the whole event log and re-render every letter sent from the case as it stood then.
 * 3. List every file on the case; for the ZIP, read each file's bytes from the attachment store.
 */
export async function prepareEvidencePack(
  deps: AppDependencies,
  caseId: string,
  actor: Extract<Actor, { kind: 'staff' }>,
  format: 'html' | 'zip',
): Promise<EvidencePack> {
  await resendOwedCallbacks(deps, caseId);
  const { state } = await recordEvent(
    deps,
    caseId,
    (_current, at) => ({ type: 'evidence-pack-prepared', at, by: actor, format }),
    undefined,
    { projectionMayLag: true },
  );
  // The pack is the whole history: the one read here that needs the log rather than the projection.
  const { events } = await loadCase(deps, caseId);
  const listed = [
    ...(state.complaint.attachments ?? []).map((file) => ({ ...file, from: 'sent with the complaint' })),
    ...(state.emails ?? []).flatMap((email) =>
      (email.attachments ?? []).map((file) => ({ ...file, from: `email of ${email.receivedAt}` })),
    ),
  ];
  const files: PackFile[] = [];
  const missingFiles: string[] = [];
  for (const { key, ...file } of listed) {
    if (format !== 'zip') {
      files.push(file);
      continue;
    }
    const stored = await deps.attachments.get(key);
    if (stored) files.push({ ...file, bytes: stored.bytes });
    else missingFiles.push(file.name);
  }
  return { state, events, letters: lettersSent(deps, caseId, events), files, missingFiles };
}
