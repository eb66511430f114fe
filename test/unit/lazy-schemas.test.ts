import { describe, expect, it, vi } from 'vitest';

// Counts the schemas zod/mini builds: a module that declares its schemas at top level builds them while it
// loads, which every Lambda cold start paid for (issue 12, ADR 0018).
const zod = vi.hoisted(() => ({ built: 0 }));
vi.mock('zod/mini', async (importOriginal) => {
  const original = await importOriginal<typeof import('zod/mini')>();
  const counted =
    <Args extends unknown[], Built>(make: (...args: Args) => Built) =>
    (...args: Args): Built => {
      zod.built++;
      return make(...args);
    };
  return {
    ...original,
    object: counted(original.object),
    strictObject: counted(original.strictObject),
    looseObject: counted(original.looseObject),
    discriminatedUnion: counted(original.discriminatedUnion),
    string: counted(original.string),
  };
});

describe('schemas are built on first use, not while a module loads', () => {
  it('loading the use cases, the settings, the handlers and the page functions builds no schema', async () => {
    await import('#shared/policy/profile.ts');
    await import('#shared/usecases/actions.ts');
    await import('#shared/usecases/case-events.ts');
    await import('#shared/usecases/intake.ts');
    await import('#shared/usecases/resident-case.ts');
    await import('#shared/usecases/annual-report.ts');
    await import('#functions/lib/config.ts');
    await import('#functions/api/staff-queries.ts');
    await import('#functions/api/subject-access.ts');
    await import('#functions/email/ses-events.ts');
    await import('#functions/email/intake.ts');
    await import('#functions/workflow/register-task.ts');
    await import('#functions/workflow/close-case.ts');
    await import('#functions/workflow/send-digest.ts');
    // The six page functions' entries: each loads its page module, the staff actions' parsers among them.
    await import('#functions/web/entry/resident.ts');
    await import('#functions/web/entry/sign-in.ts');
    await import('#functions/web/entry/staff.ts');
    await import('#functions/web/entry/case.ts');
    await import('#functions/web/entry/reports.ts');
    await import('#functions/web/entry/records.ts');
    expect(zod.built).toBe(0);
  });

  it('builds a schema the first time it is asked for, and only then', async () => {
    const { ProviderProfile } = await import('#shared/policy/profile.ts');
    const before = zod.built;
    const schema = ProviderProfile();
    expect(zod.built).toBeGreaterThan(before);
    const after = zod.built;
    expect(ProviderProfile()).toBe(schema);
    expect(zod.built).toBe(after);
  });
});
