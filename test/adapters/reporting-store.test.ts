import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, DynamoDbReportingStore } from '#shared/adapters/dynamodb-case-store.ts';
import { ConflictError } from '#shared/domain/errors.ts';
import type { ApprovedReport, Improvement, ReportingRepository } from '#shared/ports/reporting-repository.ts';
import { type LocalDynamo, startDynalite } from '../support/dynamodb.ts';
import { InMemoryReportingRepository } from '../support/fakes/reporting-repository.ts';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

const improvement = (id: string, overrides: Partial<Improvement> = {}): Improvement => ({
  improvementId: id,
  whatChanged: 'Repairs texts the resident the day before',
  caseReferences: ['CMP-2026-000001'],
  owner: 'Head of repairs',
  dueDate: '2026-06-30',
  addedAt: '2026-04-02T09:00:00.000Z',
  addedBy: 'mo',
  version: 1,
  ...overrides,
});
const approval = (version: number, approvedBy: string): ApprovedReport => ({
  year: '2026-04-01',
  version,
  approvedAt: '2026-05-01T09:00:00.000Z',
  approvedBy,
  contentHash: 'ab'.repeat(32),
  content: `{"approvedBy":"${approvedBy}"}`,
});

function reportingContract(name: string, fresh: () => Promise<ReportingRepository>) {
  describe(`${name} (reporting store contract)`, () => {
    it('adds, lists and changes improvements only over the version they were read at', async () => {
      const store = await fresh();
      await store.addImprovement(improvement('I-2'));
      await store.addImprovement(improvement('I-1', { caseReferences: [] }));
      await expect(store.addImprovement(improvement('I-1'))).rejects.toBeInstanceOf(ConflictError);
      expect((await store.listImprovements()).map((i) => i.improvementId)).toEqual(['I-1', 'I-2']);
      await store.updateImprovement(improvement('I-2', { doneDate: '2026-06-01', version: 2 }));
      // A change made from version 1 after someone else's: refused, the other change kept.
      await expect(
        store.updateImprovement(improvement('I-2', { owner: 'X', version: 2 })),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await store.listImprovements()).find((i) => i.improvementId === 'I-2')).toMatchObject({
        doneDate: '2026-06-01',
        owner: 'Head of repairs',
        version: 2,
      });
    });

    it('saves a draft only over the version it was read at', async () => {
      const store = await fresh();
      const draft = {
        year: '2026-04-01',
        answers: { '6.2': { complies: 'yes' as const, evidence: 'e', commentary: 'c' } },
        governingBodyResponse: '',
        updatedAt: '2026-04-02T09:00:00.000Z',
        updatedBy: 'ade',
        version: 1,
      };
      expect(await store.getAnnualDraft('2026-04-01')).toBeUndefined();
      await store.saveAnnualDraft(draft);
      await expect(store.saveAnnualDraft(draft)).rejects.toBeInstanceOf(ConflictError);
      await store.saveAnnualDraft({ ...draft, governingBodyResponse: 'Noted', version: 2 });
      expect(await store.getAnnualDraft('2026-04-01')).toMatchObject({
        governingBodyResponse: 'Noted',
        version: 2,
      });
    });

    it('two approvals racing for the same version: exactly one is stored, the other is refused', async () => {
      const store = await fresh();
      await store.putApprovedReport(approval(1, 'ade'));
      const results = await Promise.allSettled([
        store.putApprovedReport(approval(2, 'ade')),
        store.putApprovedReport(approval(2, 'mo')),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(ConflictError);
      const stored = await store.listApprovedReports('2026-04-01');
      expect(stored.map((r) => r.version)).toEqual([1, 2]);
      // Version 1 is untouched by either.
      expect(stored[0]).toEqual(approval(1, 'ade'));
      expect(await store.listApprovedReports('2027-04-01')).toEqual([]);
    });
  });
}

reportingContract('InMemoryReportingRepository', async () => new InMemoryReportingRepository());
reportingContract('DynamoDbReportingStore on dynalite', async () => {
  const tableName = await dynamo.createTable();
  return new DynamoDbReportingStore(tableName, createDocumentClient(dynamo.client()));
});
