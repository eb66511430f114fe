import type { CaseContext, StaffRole } from '../domain/case.ts';
import { signCaseLink } from '../domain/secrets.ts';
import type { AttachmentStore } from '../ports/attachments.ts';
import type { CaseRepository } from '../ports/case-repository.ts';
import type { Clock } from '../ports/clock.ts';
import type { LetterStore, Mailer } from '../ports/notifications.ts';
import type { ReportingRepository } from '../ports/reporting-repository.ts';
import type { Telemetry } from '../ports/telemetry.ts';
import type { WorkflowEngine } from '../ports/workflow-engine.ts';

/** Everything a use case needs from the outside world, wired once per Lambda (or once locally). */
export interface AppDependencies {
  repository: CaseRepository;
  /** The improvements register and the annual reports. */
  reporting: ReportingRepository;
  engine: WorkflowEngine;
  mailer: Mailer;
  letters: LetterStore;
  /** Residents' photos and documents, stored before the case that lists them is created. */
  attachments: AttachmentStore;
  /** Raw inbound emails as received; only email intake and the staff download of a raw message use it. */
  inboundEmail?: AttachmentStore;
  clock: Clock;
  context: CaseContext;
  /** One key per purpose: contact hashes, resident links, staff forms' CSRF tokens. */
  secrets: { contactHashKey: string; linkSigningKey: string; csrfKey: string };
  urls: { resident: string; staff: string };
  /** Where staff alerts go, per role (a shared team mailbox each). */
  staffAddresses: Record<StaffRole, string>;
  newId(): string;
  /** Business counts; absent where nothing collects them (tests, the local runtime). */
  telemetry?: Telemetry;
  /**
   * The Lambda invocation running the use case, where its handler gives it (send-digest's runs over many cases):
   * how long it has left before Lambda ends it. The local runtime's daily tick gives a 15-minute countdown of real
   * time; absent for the profile check at its start and in most tests.
   */
  invocation?: { remainingMs(): number };
}

/** Resident links stay valid for a year after each letter; every letter carries a fresh one. */
export const CASE_LINK_DAYS = 365;

/**
 * A fresh signed link to the resident's case page. Here, not with intake, so the functions that send letters
 * do not carry intake's schemas (kept in every bundle that imports that module: zod's calls are not pure).
 */
export function caseLinkFor(deps: AppDependencies, caseId: string): string {
  const expires = new Date(deps.clock.now().getTime() + CASE_LINK_DAYS * 24 * 60 * 60 * 1000);
  return `${deps.urls.resident}/cases/${caseId}?token=${signCaseLink(deps.secrets.linkSigningKey, caseId, expires)}`;
}
