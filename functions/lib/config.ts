import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { FolderAttachmentStore, S3AttachmentStore } from '#shared/adapters/attachment-store.ts';
import { awsClients } from '#shared/adapters/aws-clients.ts';
import { DynamoDbCaseStore, DynamoDbReportingStore } from '#shared/adapters/dynamodb-case-store.ts';
import { FolderLetterStore, S3LetterStore } from '#shared/adapters/letter-store.ts';
import { SesMailer } from '#shared/adapters/ses.ts';
import { StepFunctionsEngine } from '#shared/adapters/step-functions.ts';
import { caseContext } from '#shared/domain/case.ts';
import { deriveKey } from '#shared/domain/secrets.ts';
import { lazy } from '#shared/lazy.ts';
import { parseProfile } from '#shared/policy/load-profile.ts';
import { systemClock } from '#shared/ports/clock.ts';
import type { LetterStore, Mailer } from '#shared/ports/notifications.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import '#shared/zod-messages.ts';
import { telemetry } from './observability.ts';
import { jsonText, problemsOf, readSecret } from './settings.ts';
import { tracing } from './tracing.ts';

export { HttpSettings, PageSettings, readSecret, settings, TaskSettings } from './settings.ts';

const key = () => z.string().check(z.minLength(32, 'must be at least 32 characters of random data'));
const name = () => z.string().check(z.minLength(1));

/** What every function that runs use cases needs: the table, the profile, keys, addresses and stores. */
export const RuntimeConfig = lazy(() =>
  z.object({
    TABLE_NAME: name(),
    /** Only the functions that start executions or complete callbacks need it. */
    STATE_MACHINE_ARN: z.optional(name()),
    PROVIDER_PROFILE_FILE: name(),
    /** In AWS the keys are derived from one Secrets Manager secret, read at cold start and never logged. */
    APP_SECRET_ARN: z.optional(z.string()),
    CONTACT_HASH_KEY: z.optional(key()),
    LINK_SIGNING_KEY: z.optional(key()),
    CSRF_KEY: z.optional(key()),
    RESIDENT_BASE_URL: z.url(),
    STAFF_BASE_URL: z.url(),
    STAFF_ALERT_EMAILS: jsonText(
      z.object({ handler: z.email(), reviewer: z.email(), manager: z.email(), admin: z.email() }),
    ),
    LETTERS_BUCKET: z.optional(z.string()),
    LETTERS_DIR: z.optional(z.string()),
    /** Only the web pages function (the complaint form and the staff download) reads and writes it. */
    ATTACHMENTS_BUCKET: z.optional(z.string()),
    ATTACHMENTS_DIR: z.optional(z.string()),
    /** Only email intake (and the staff download of a raw message) reads the raw messages SES stores. */
    INBOUND_EMAIL_BUCKET: z.optional(z.string()),
    INBOUND_EMAIL_DIR: z.optional(z.string()),
    SES_CONFIGURATION_SET: z.optional(z.string()),
  }),
);
export type RuntimeConfig = z.infer<ReturnType<typeof RuntimeConfig>>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const result = RuntimeConfig().safeParse(env);
  if (!result.success) throw new Error(`The function is misconfigured: ${problemsOf(result.error)}`);
  return result.data;
}

/** One generated master key; each purpose gets its own key derived from it. */
const AppSecret = lazy(() => jsonText(z.object({ masterKey: z.string().check(z.minLength(32)) })));

export function deriveSecrets(masterKey: string): AppDependencies['secrets'] {
  // The first two keep their original derivation: stored contact hashes and links already sent use them.
  const derive = (purpose: string) => createHmac('sha256', masterKey).update(purpose).digest('base64url');
  return {
    contactHashKey: derive('contact-hash-v1'),
    linkSigningKey: derive('case-link-v1'),
    csrfKey: deriveKey(masterKey, 'staff-csrf-v1'),
  };
}

async function readSecrets(config: RuntimeConfig): Promise<AppDependencies['secrets']> {
  if (config.CONTACT_HASH_KEY && config.LINK_SIGNING_KEY && config.CSRF_KEY) {
    return {
      contactHashKey: config.CONTACT_HASH_KEY,
      linkSigningKey: config.LINK_SIGNING_KEY,
      csrfKey: config.CSRF_KEY,
    };
  }
  if (!config.APP_SECRET_ARN) {
    throw new Error(
      'The function is misconfigured: set APP_SECRET_ARN, or CONTACT_HASH_KEY, LINK_SIGNING_KEY and CSRF_KEY',
    );
  }
  const parsed = AppSecret().safeParse(await readSecret(config.APP_SECRET_ARN));
  if (!parsed.success)
    throw new Error('The application secret must be JSON holding a masterKey of at least 32 characters');
  return deriveSecrets(parsed.data.masterKey);
}

export function dependenciesFrom(
  config: RuntimeConfig,
  secrets: AppDependencies['secrets'],
  functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'this function',
): AppDependencies {
  const profile = parseProfile(
    JSON.parse(readFileSync(config.PROVIDER_PROFILE_FILE, 'utf8')),
    config.PROVIDER_PROFILE_FILE,
  );
  const clients = awsClients((client) => tracing.instrument(client));
  const { s3 } = clients;
  const documents = lazy(clients.documents);
  const repository = lazy(() => new DynamoDbCaseStore(config.TABLE_NAME, documents()));
  const reporting = lazy(() => new DynamoDbReportingStore(config.TABLE_NAME, documents()));
  const engine = lazy(() => new StepFunctionsEngine(config.STATE_MACHINE_ARN, clients.sfn));
  // What the stack grants decides: the mail grant sets SES_CONFIGURATION_SET and the letters grant
  // LETTERS_BUCKET; without them the function refuses instead of failing on AccessDenied (or writing to a folder
  // on Lambda's read-only disk) part-way through a step.
  const mailer = lazy(() =>
    config.SES_CONFIGURATION_SET
      ? new SesMailer(config.SES_CONFIGURATION_SET, clients.ses)
      : notGrantedMailer(functionName),
  );
  const letters = lazy(() => {
    if (config.LETTERS_BUCKET) return new S3LetterStore(config.LETTERS_BUCKET, s3);
    if (config.LETTERS_DIR) return new FolderLetterStore(config.LETTERS_DIR);
    return notGrantedLetters(functionName);
  });
  const attachments = lazy(() =>
    config.ATTACHMENTS_BUCKET
      ? new S3AttachmentStore(config.ATTACHMENTS_BUCKET, s3)
      : new FolderAttachmentStore(config.ATTACHMENTS_DIR ?? '.data/attachments'),
  );
  const inboundEmail = lazy(() =>
    config.INBOUND_EMAIL_BUCKET
      ? new S3AttachmentStore(config.INBOUND_EMAIL_BUCKET, s3)
      : new FolderAttachmentStore(config.INBOUND_EMAIL_DIR ?? '.data/inbound'),
  );
  return {
    get repository() {
      return repository();
    },
    get reporting() {
      return reporting();
    },
    get engine() {
      return engine();
    },
    get mailer() {
      return mailer();
    },
    get letters() {
      return letters();
    },
    get attachments() {
      return attachments();
    },
    get inboundEmail() {
      return inboundEmail();
    },
    clock: systemClock,
    context: caseContext(profile),
    secrets,
    urls: { resident: config.RESIDENT_BASE_URL, staff: config.STAFF_BASE_URL },
    staffAddresses: config.STAFF_ALERT_EMAILS,
    newId: randomUUID,
    telemetry,
  };
}

/** The grants a function's `uses` can hold (`infra/constructs/app-functions.ts`) that the adapters check. */
export type SendingGrant = 'mail' | 'letters';

/** The error of a function that reached for mail or the letters bucket its `uses` does not grant. */
export function notGranted(functionName: string, grant: SendingGrant, doing: string): Error {
  // Short: it is in every bundle; ADR 0019 says what each grant gives.
  return new Error(
    `${functionName} is not granted ${grant}, so it cannot ${doing}. Add ${grant}: true to its uses (infra/constructs/workflow-tasks.ts for a workflow step)`,
  );
}

/** A mailer for a function without the mail grant: sending refuses, naming the function and the grant. */
export function notGrantedMailer(functionName: string): Mailer {
  return {
    send: (email) => Promise.reject(notGranted(functionName, 'mail', `send the email "${email.subject}"`)),
  };
}

/** A letter store for a function without the letters grant: storing refuses, naming the function and the grant. */
export function notGrantedLetters(functionName: string): LetterStore {
  return {
    put: (key) => Promise.reject(notGranted(functionName, 'letters', `store the letter ${key} for posting`)),
    deleteCase: (caseId) =>
      Promise.reject(notGranted(functionName, 'letters', `delete the letters of case ${caseId}`)),
  };
}

let cached: AppDependencies | undefined;
let pending: Promise<AppDependencies> | undefined;

/** Built on first use, then kept for the life of the execution environment (module-scope clients). */
export async function dependencies(): Promise<AppDependencies> {
  if (cached) return cached;
  pending ??= (async () => {
    const config = readConfig();
    cached = dependenciesFrom(config, await readSecrets(config));
    return cached;
  })().finally(() => {
    pending = undefined;
  });
  return pending;
}

/**
 * The local runtime wires the same adapters to its emulators (and its in-process Step Functions) and hands
 * them to the unchanged handler exports here.
 */
export function useDependencies(deps: AppDependencies | undefined): void {
  cached = deps;
  pending = undefined;
}
