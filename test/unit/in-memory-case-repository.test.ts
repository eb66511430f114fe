import { caseRepositoryContract } from '../support/case-repository-contract.ts';
import { InMemoryCaseRepository } from '../support/fakes/case-repository.ts';

// The fake the use-case tests use keeps the same contract as the DynamoDB adapter (test/adapters).
caseRepositoryContract('InMemoryCaseRepository', async () => new InMemoryCaseRepository());
