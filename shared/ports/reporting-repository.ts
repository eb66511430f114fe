/** What reporting keeps beside the cases: the improvements register and the annual reports. */

/** A change made because of complaints (Code 9.1-9.3): what changed, the cases behind it, who owns it, when. */
export interface Improvement {
  improvementId: string;
  whatChanged: string;
  /** The references of the cases it came from. */
  caseReferences: string[];
  owner: string;
  /** London dates YYYY-MM-DD. */
  dueDate: string;
  doneDate?: string;
  addedAt: string;
  addedBy: string;
  /** Bumped on every change; a change is written only over the version it was made from. */
  version: number;
}

/** The complaints officer's answer for one Code provision in the self-assessment (Code 8.1(a), Appendix A). */
export interface SelfAssessmentAnswer {
  complies: 'yes' | 'no';
  /** Their evidence, where the data cannot show it. */
  evidence: string;
  commentary: string;
}

/** The draft of a year's report: what is typed in, saved until it is approved. */
export interface AnnualDraft {
  /** The financial year's first London date (YYYY-04-01). */
  year: string;
  answers: Record<string, SelfAssessmentAnswer>;
  governingBodyResponse: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
}

/** An approved report: stored once, never changed; a later approval is a new version. */
export interface ApprovedReport {
  year: string;
  version: number;
  approvedAt: string;
  approvedBy: string;
  /** Hex SHA-256 of `content`. */
  contentHash: string;
  /** The report as approved (JSON): figures, self-assessment, improvements, response. */
  content: string;
}

export interface ReportingRepository {
  /** Adds an improvement; throws ConflictError if its id is taken. */
  addImprovement(improvement: Improvement): Promise<void>;
  /** Replaces an improvement written at `improvement.version - 1`; throws ConflictError if it changed since. */
  updateImprovement(improvement: Improvement): Promise<void>;
  listImprovements(): Promise<Improvement[]>;
  getAnnualDraft(year: string): Promise<AnnualDraft | undefined>;
  /** Saves the draft over `draft.version - 1` (or as the first, at version 1); ConflictError if it changed since. */
  saveAnnualDraft(draft: AnnualDraft): Promise<void>;
  /** Every approved version of a year's report, oldest first. */
  listApprovedReports(year: string): Promise<ApprovedReport[]>;
  /** Stores an approved version; throws ConflictError if that version number is taken (never overwrites). */
  putApprovedReport(report: ApprovedReport): Promise<void>;
}
