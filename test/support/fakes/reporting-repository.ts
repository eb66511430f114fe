import { ConflictError } from '#shared/domain/errors.ts';
import type {
  AnnualDraft,
  ApprovedReport,
  Improvement,
  ReportingRepository,
} from '#shared/ports/reporting-repository.ts';

/** The reporting store in memory, with the same conditions as the DynamoDB adapter (the contract checks both). */
export class InMemoryReportingRepository implements ReportingRepository {
  readonly improvements = new Map<string, Improvement>();
  readonly drafts = new Map<string, AnnualDraft>();
  readonly approved = new Map<string, ApprovedReport>();

  async addImprovement(improvement: Improvement): Promise<void> {
    if (this.improvements.has(improvement.improvementId)) {
      throw new ConflictError(`Improvement ${improvement.improvementId} already exists`);
    }
    this.improvements.set(improvement.improvementId, structuredClone(improvement));
  }

  async updateImprovement(improvement: Improvement): Promise<void> {
    if (this.improvements.get(improvement.improvementId)?.version !== improvement.version - 1) {
      throw new ConflictError(
        `Improvement ${improvement.improvementId} was changed by someone else meanwhile`,
      );
    }
    this.improvements.set(improvement.improvementId, structuredClone(improvement));
  }

  async listImprovements(): Promise<Improvement[]> {
    return [...this.improvements.values()]
      .sort((a, b) => a.improvementId.localeCompare(b.improvementId))
      .map((improvement) => structuredClone(improvement));
  }

  async getAnnualDraft(year: string): Promise<AnnualDraft | undefined> {
    const draft = this.drafts.get(year);
    return draft && structuredClone(draft);
  }

  async saveAnnualDraft(draft: AnnualDraft): Promise<void> {
    const current = this.drafts.get(draft.year);
    if ((current?.version ?? 0) !== draft.version - 1) {
      throw new ConflictError(`The ${draft.year} report was saved by someone else meanwhile`);
    }
    this.drafts.set(draft.year, structuredClone(draft));
  }

  async listApprovedReports(year: string): Promise<ApprovedReport[]> {
    return [...this.approved.values()]
      .filter((report) => report.year === year)
      .sort((a, b) => a.version - b.version)
      .map((report) => structuredClone(report));
  }

  async putApprovedReport(report: ApprovedReport): Promise<void> {
    const key = `${report.year}#${report.version}`;
    if (this.approved.has(key)) {
      throw new ConflictError(
        `Version ${report.version} of the ${report.year} report was approved meanwhile`,
      );
    }
    this.approved.set(key, structuredClone(report));
  }
}
