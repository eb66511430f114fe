import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DynamoDbCaseStore } from '#shared/adapters/dynamodb-case-store.ts';
import { FolderLetterStore, S3LetterStore } from '#shared/adapters/letter-store.ts';
import { SesMailer } from '#shared/adapters/ses.ts';
import { StepFunctionsEngine } from '#shared/adapters/step-functions.ts';
import { caseContext } from '#shared/domain/case.ts';
import { parseProfile } from '#shared/policy/load-profile.ts';
import { systemClock } from '#shared/ports/clock.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';

/** Runtime configuration: one schema, parsed once at cold start, with messages that say what to set. */
export const RuntimeConfig = z.object({
  TABLE_NAME: z.string().min(1),
  STATE_MACHINE_ARN: z.string().min(1),
  PROVIDER_PROFILE_FILE: z.string().min(1),
  CONTACT_HASH_KEY: z.string().min(32, 'must be at least 32 characters of random data'),
  LINK_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters of random data'),
  RESIDENT_BASE_URL: z.url(),
  STAFF_BASE_URL: z.url(),
  STAFF_ALERT_EMAILS: z
    .string()
    .transform((value) => JSON.parse(value) as unknown)
    .pipe(z.object({ handler: z.email(), reviewer: z.email(), manager: z.email(), admin: z.email() })),
  LETTERS_BUCKET: z.string().optional(),
  LETTERS_DIR: z.string().optional(),
  SES_CONFIGURATION_SET: z.string().optional(),
});
export type RuntimeConfig = z.infer<typeof RuntimeConfig>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const result = RuntimeConfig.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`The function is misconfigured: ${problems}`);
  }
  return result.data;
}

export function dependenciesFrom(config: RuntimeConfig): AppDependencies {
  const profile = parseProfile(
    JSON.parse(readFileSync(config.PROVIDER_PROFILE_FILE, 'utf8')),
    config.PROVIDER_PROFILE_FILE,
  );
  const letters = config.LETTERS_BUCKET
    ? new S3LetterStore(config.LETTERS_BUCKET)
    : new FolderLetterStore(config.LETTERS_DIR ?? '.data/letters');
  return {
    repository: new DynamoDbCaseStore(config.TABLE_NAME),
    engine: new StepFunctionsEngine(config.STATE_MACHINE_ARN),
    mailer: new SesMailer(config.SES_CONFIGURATION_SET),
    letters,
    clock: systemClock,
    context: caseContext(profile),
    secrets: { contactHashKey: config.CONTACT_HASH_KEY, linkSigningKey: config.LINK_SIGNING_KEY },
    urls: { resident: config.RESIDENT_BASE_URL, staff: config.STAFF_BASE_URL },
    staffAddresses: config.STAFF_ALERT_EMAILS,
    newId: randomUUID,
  };
}

let cached: AppDependencies | undefined;

/** Built on first use, then kept for the life of the execution environment (module-scope clients). */
export function dependencies(): AppDependencies {
  cached ??= dependenciesFrom(readConfig());
  return cached;
}

/**
 * The local runtime wires the same adapters to its emulators (and its in-process Step Functions) and hands
 * them to the unchanged handler exports here.
 */
export function useDependencies(deps: AppDependencies | undefined): void {
  cached = deps;
}
