import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { baselineContext } from '../fixtures.ts';
import { MemoryAttachmentStore } from './attachments.ts';
import { InMemoryCaseRepository } from './case-repository.ts';
import { ManualClock } from './clock.ts';
import { MemoryLetterStore, RecordingMailer } from './notifications.ts';
import { InMemoryReportingRepository } from './reporting-repository.ts';
import { FakeWorkflowEngine } from './workflow-engine.ts';

/**
 * The use cases' dependencies with every port faked in memory (the code-baseline profile, Monday 2 March
 * 2026 10:00 by default). The fakes are returned typed, so a test can look inside them.
 */
export function fakeDependencies(overrides: Partial<AppDependencies> = {}) {
  let ids = 0;
  const fakes = {
    repository: new InMemoryCaseRepository(),
    reporting: new InMemoryReportingRepository(),
    engine: new FakeWorkflowEngine(),
    mailer: new RecordingMailer(),
    letters: new MemoryLetterStore(),
    attachments: new MemoryAttachmentStore(),
    clock: new ManualClock('2026-03-02T10:00:00Z'),
  };
  const deps: AppDependencies = {
    ...fakes,
    context: baselineContext(),
    secrets: {
      contactHashKey: 'test-contact-hash-key-0123456789abcdef',
      linkSigningKey: 'test-link-signing-key-0123456789abcdef',
      csrfKey: 'test-csrf-key-0123456789abcdef-0123456789',
    },
    urls: { resident: 'https://complaints.example.org', staff: 'https://complaints.example.org/staff' },
    staffAddresses: {
      handler: 'handlers@landlord.example',
      reviewer: 'reviewers@landlord.example',
      manager: 'managers@landlord.example',
      admin: 'admins@landlord.example',
    },
    newId: () => `case-${++ids}`,
    ...overrides,
  };
  return { deps, ...fakes };
}
