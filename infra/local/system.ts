// First: it sets the environment the handler modules read as they load.
import './outside-lambda.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import * as sesLocalModule from 'aws-ses-v2-local';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
import { FolderAttachmentStore } from '#shared/adapters/attachment-store.ts';
import {
  createDocumentClient,
  DynamoDbCaseStore,
  DynamoDbReportingStore,
} from '#shared/adapters/dynamodb-case-store.ts';
import { FolderLetterStore } from '#shared/adapters/letter-store.ts';
import { SesMailer } from '#shared/adapters/ses.ts';
import { caseContext, OPEN_STATUSES } from '#shared/domain/case.ts';
import { loadProfile } from '#shared/policy/load-profile.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import type { Mailer } from '#shared/ports/notifications.ts';
import { londonWallClockToInstant, toLondon } from '#shared/time/london.ts';
import { loadCase, saveFolded } from '#shared/usecases/case-log.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { finishIntake } from '#shared/usecases/intake.ts';
import { applyProfileChange, type ProfileChangeReport } from '#shared/usecases/profile-change.ts';
import { notGrantedLetters, notGrantedMailer, useDependencies } from '../../functions/lib/config.ts';
import * as checkDeadline from '../../functions/workflow/check-deadline.ts';
import * as closeCase from '../../functions/workflow/close-case.ts';
import * as recordReceipt from '../../functions/workflow/record-receipt.ts';
import * as registerTask from '../../functions/workflow/register-task.ts';
import * as reportMonthsJob from '../../functions/workflow/report-months.ts';
import * as retentionJob from '../../functions/workflow/retention.ts';
import * as sendDigest from '../../functions/workflow/send-digest.ts';
import * as sendNotifications from '../../functions/workflow/send-notifications.ts';
import type { FunctionUses } from '../constructs/app-functions.ts';
import { WORKFLOW_TASKS } from '../constructs/workflow-tasks.ts';
import { repairAtStart, type StartRepair } from './crash-repair.ts';
import { CLEAN_STOP_FILE, LOCAL_TABLE } from './data-dir.ts';
import { createActiveTable, dynaliteServer } from './dynalite.ts';
import { inProcessDynamo, unsignedForDynalite } from './in-process-dynamo.ts';
import { LocalStepFunctions, lambdaContext } from './local-step-functions.ts';
import { installVirtualClock, type VirtualClock } from './virtual-clock.ts';

export { LOCAL_TABLE } from './data-dir.ts';

// A CommonJS module with an ES default export: Node and vite disagree on how deep the default sits.
type SesServerFactory = (config: { host: string; port: number }) => Promise<import('node:http').Server>;
function sesServerFactory(): SesServerFactory {
  let candidate: unknown = sesLocalModule;
  while (typeof candidate !== 'function' && candidate && 'default' in (candidate as object)) {
    candidate = (candidate as { default: unknown }).default;
  }
  return candidate as SesServerFactory;
}
/**
 * The SES emulator keeps its outbox in memory only. With a data directory, every email it stores is also
 * appended to outbox.jsonl there and put back into the emulator on start, so the outbox survives a restart.
 */
export const OUTBOX_FILE = 'outbox.jsonl';

/**
 * How many of the newest emails the SES emulator holds (its `/store`, its web page). It kept every email in
 * module state, about five a closed case, so the runtime's memory grew with every case it had ever written to
 * (issue 12); outbox.jsonl, when there is a data directory, still has every email.
 */
export const OUTBOX_EMAILS_KEPT = 1_000;

/** Drops the emulator's oldest emails beyond the window (its store is shared by every system in the process). */
function keepNewestEmails(limit: number): void {
  const emails = getStoreReadonly().emails;
  if (emails.length > limit) emails.splice(0, emails.length - limit);
}

function restoreOutbox(file: string, limit: number): void {
  if (!existsSync(file)) return;
  const restored: unknown[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  // Newest first, only as many as the window holds: the file can hold every email of a long-used runtime.
  for (let index = lines.length - 1; index >= 0 && restored.length < limit; index--) {
    const line = lines[index];
    // A line cut short by kill -9 is skipped; every whole line is an email.
    if (!line) continue;
    try {
      restored.push(JSON.parse(line));
    } catch {}
  }
  const emails = getStoreReadonly().emails as unknown[];
  emails.push(...restored.reverse());
  keepNewestEmails(limit);
}

/** Sends through the emulator, appends what it stored to the outbox file (if any), then trims it to the window. */
function windowedOutbox(mailer: Mailer, limit: number, file: string | undefined): Mailer {
  return {
    async send(email) {
      const sent = await mailer.send(email);
      if (file) {
        const stored = getStoreReadonly().emails.findLast(
          (candidate) => candidate.messageId === sent.messageId,
        );
        if (stored) appendFileSync(file, `${JSON.stringify(stored)}\n`);
      }
      keepNewestEmails(limit);
      return sent;
    },
  };
}

const REGION = 'eu-west-2';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The functions the state machine invokes, by the names the local substitutions give them. */
export const WORKFLOW_FUNCTIONS = {
  RecordReceiptFunctionArn: ['local:record-receipt', recordReceipt.handler],
  SendNotificationsFunctionArn: ['local:send-notifications', sendNotifications.handler],
  RegisterTaskFunctionArn: ['local:register-task', registerTask.handler],
  CheckDeadlineFunctionArn: ['local:check-deadline', checkDeadline.handler],
  CloseCaseFunctionArn: ['local:close-case', closeCase.handler],
} as const;

/** The function a handler runs as, while it runs: what it is called and what the stack grants it. */
interface RunningFunction {
  name: string;
  uses: FunctionUses;
}

const runningFunction = new AsyncLocalStorage<RunningFunction>();

/**
 * The dependencies the handlers get: inside a workflow step only what the stack grants that step (its `uses`
 * in WORKFLOW_TASKS), so a step that sends a letter without the mail or letters grant fails here as it would
 * in AWS, instead of every function sharing every store. Read through on each access: a test that swaps an
 * adapter on `deps` swaps it for the steps too.
 */
function asGranted(deps: AppDependencies): AppDependencies {
  return new Proxy(deps, {
    get(target, key, receiver) {
      const running = runningFunction.getStore();
      if (running && key === 'mailer' && !running.uses.mail) return notGrantedMailer(running.name);
      if (running && key === 'letters' && !running.uses.letters) return notGrantedLetters(running.name);
      return Reflect.get(target, key, receiver);
    },
  });
}

/** Each step's handler, run as its function: with what WORKFLOW_TASKS grants it. */
function asItsFunction<Handler extends (...args: never[]) => unknown>(
  substitution: keyof typeof WORKFLOW_FUNCTIONS,
  handler: Handler,
): Handler {
  const task = WORKFLOW_TASKS.find((candidate) => candidate.substitution === substitution);
  if (!task) throw new Error(`${substitution} is in no WORKFLOW_TASKS entry: add it there with what it uses`);
  const running: RunningFunction = { name: task.name, uses: task.uses };
  return ((...args) => runningFunction.run(running, () => handler(...args))) as Handler;
}

export interface LocalSystemOptions {
  profile: ProviderProfile | string;
  /** Where dynalite persists and letters and attachments go; omitted means in memory (tests). */
  dataDir?: string;
  /** The virtual clock's starting instant; real time by default. */
  start?: Date;
  sesPort?: number;
  dynamoPort?: number;
  /** false: the state machine definition is not validated on start (see LocalStepFunctions). */
  validateAsl?: boolean;
  urls?: AppDependencies['urls'];
  secrets?: AppDependencies['secrets'];
  /** How many of the newest emails the SES emulator keeps in memory; OUTBOX_EMAILS_KEPT by default. */
  outboxEmailsKept?: number;
}

export interface LocalSystem {
  deps: AppDependencies;
  sfn: LocalStepFunctions;
  clock: VirtualClock;
  sesUrl: string;
  dynamoEndpoint: string;
  /** The client the repository sends through (a test or bench can count its calls with a middleware). */
  dynamo: DynamoDBClient;
  /**
   * The index repair of a start on a data directory the last runtime did not stop cleanly (no clean-stop
   * marker); undefined after a clean stop, when no item is written again, and without a data directory.
   */
  uncleanStop?: { reindexed: number };
  /**
   * Finishes every intake stopped after its `received` event (no projection, no execution), then starts an
   * execution for every open case, so each resumes at the step its event log says.
   */
  resumeOpenCases(): Promise<number>;
  /**
   * What the start found of the provider profile (set by resumeOpenCases): a profile changed since the last
   * start has its moved dates recorded on the open cases, and the residents told, before any case resumes.
   */
  profileChange?: ProfileChangeReport;
  /** Starts a new execution for each open case whose latest execution FAILED; the daily tick calls it. */
  restartFailedExecutions(): Promise<string[]>;
  settle(): Promise<void>;
  stop(): Promise<void>;
}

async function listen(
  server: { listen: (port: number, host: string, cb: () => void) => unknown },
  port: number,
) {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

async function ensureTable(client: DynamoDBClient): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE }));
    return;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  await createActiveTable(client, LOCAL_TABLE);
}

export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const profile = typeof options.profile === 'string' ? loadProfile(options.profile) : options.profile;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'complaints-'));
  let sfn: LocalStepFunctions | undefined;
  const clock = installVirtualClock({ start: options.start, idle: () => sfn?.idle() ?? Promise.resolve() });

  const dynamoPath = options.dataDir ? join(dataDir, 'dynamodb') : undefined;
  if (dynamoPath) mkdirSync(dynamoPath, { recursive: true });
  const dynamoServer = dynaliteServer({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    path: dynamoPath,
  });
  await listen(dynamoServer, options.dynamoPort ?? 0);
  const dynamoEndpoint = `http://127.0.0.1:${(dynamoServer.address() as AddressInfo).port}`;
  const sesServer = await sesServerFactory()({ host: '127.0.0.1', port: options.sesPort ?? 0 });
  const outboxFile = options.dataDir ? join(dataDir, OUTBOX_FILE) : undefined;
  const outboxEmailsKept = options.outboxEmailsKept ?? OUTBOX_EMAILS_KEPT;
  if (outboxFile) restoreOutbox(outboxFile, outboxEmailsKept);
  const sesUrl = `http://127.0.0.1:${(sesServer.address() as AddressInfo).port}`;

  const dynamoTransport = inProcessDynamo(dynamoServer);
  const dynamo = new DynamoDBClient({
    endpoint: dynamoEndpoint,
    region: REGION,
    credentials: CREDENTIALS,
    requestHandler: dynamoTransport,
    signer: unsignedForDynalite,
  });
  await ensureTable(dynamo);
  const documents = createDocumentClient(dynamo);
  // Removed before anything is written: a kill from here on must find it absent at the next start.
  const cleanStopFile = dynamoPath ? join(dataDir, CLEAN_STOP_FILE) : undefined;
  const stoppedCleanly = cleanStopFile !== undefined && existsSync(cleanStopFile);
  if (cleanStopFile) rmSync(cleanStopFile, { force: true });
  const repair: StartRepair = dynamoPath
    ? await repairAtStart(documents, { reindex: !stoppedCleanly })
    : { halfRecordedIntakes: [], laggingProjections: [], reindexed: 0 };

  sfn = new LocalStepFunctions(
    Object.fromEntries(
      Object.entries(WORKFLOW_FUNCTIONS).map(([substitution, [name, handler]]) => [
        name,
        asItsFunction(substitution as keyof typeof WORKFLOW_FUNCTIONS, handler as never),
      ]),
    ),
    {
      substitutions: Object.fromEntries(
        Object.entries(WORKFLOW_FUNCTIONS).map(([key, [name]]) => [key, name]),
      ),
      validate: options.validateAsl,
    },
  );
  const sesMailer = new SesMailer(
    undefined,
    new SESv2Client({ endpoint: sesUrl, region: REGION, credentials: CREDENTIALS }),
  );
  const deps: AppDependencies = {
    repository: new DynamoDbCaseStore(LOCAL_TABLE, documents),
    reporting: new DynamoDbReportingStore(LOCAL_TABLE, documents),
    engine: sfn,
    mailer: windowedOutbox(sesMailer, outboxEmailsKept, outboxFile),
    letters: new FolderLetterStore(join(dataDir, 'letters')),
    attachments: new FolderAttachmentStore(join(dataDir, 'attachments')),
    // The S3 inbound bucket's stand-in: the SMTP listener writes each raw message here, as SES would.
    inboundEmail: new FolderAttachmentStore(join(dataDir, 'inbound')),
    clock: { now: () => new Date() },
    context: caseContext(profile),
    secrets: options.secrets ?? {
      contactHashKey: 'local-contact-hash-key-not-for-production-use',
      linkSigningKey: 'local-link-signing-key-not-for-production-use',
      csrfKey: 'local-csrf-key-not-for-production-use-0123456789',
    },
    urls: options.urls ?? { resident: 'http://127.0.0.1:3000', staff: 'http://127.0.0.1:3000/staff' },
    staffAddresses: {
      handler: 'handlers@staff.localhost',
      reviewer: 'reviewers@staff.localhost',
      manager: 'managers@staff.localhost',
      admin: 'admins@staff.localhost',
    },
    newId: () => crypto.randomUUID(),
  };
  useDependencies(asGranted(deps));
  const engine = sfn;
  const restartFailedExecutions = async () => {
    const restarted: string[] = [];
    for (const failed of engine.latestExecutions().filter((execution) => execution.status === 'FAILED')) {
      const { caseId } = failed.input as { caseId: string };
      const state = await deps.repository.getProjection(caseId);
      if (!state || state.status === 'closed') continue;
      // The runbook's resume (docs/operations.md): a new name, the same input; its first state reads the log.
      const name = `${caseId}-resume-${new Date().toISOString().replace(/[-:.]/g, '')}`;
      await engine.startExecution(name, { caseId });
      restarted.push(name);
    }
    return restarted;
  };
  // The whole run is tracked, so the virtual clock's idle probe, and a stop, wait for every job of it: with only
  // send-digest tracked, a stop right after the tick closed dynalite under the report-months job still writing
  // ("Database is closed", thrown inside dynalite where nothing catches it).
  const stopDailyTick = startDailyTick(() =>
    inDailyRun.run(true, () =>
      engine.track(async () => {
        await restartFailedExecutions();
        await sendDigest.handler({}, lambdaContext('local:send-digest') as never);
        await retentionJob.handler({}, lambdaContext('local:retention') as never);
        // After retention, as in AWS: an anonymisation rewrites its case's facts, so its months go stale.
        await reportMonthsJob.handler({}, lambdaContext('local:report-months') as never);
      }),
    ),
  );

  const system: LocalSystem = {
    deps,
    sfn: engine,
    clock,
    sesUrl,
    dynamoEndpoint,
    dynamo,
    uncleanStop: dynamoPath && !stoppedCleanly ? { reindexed: repair.reindexed } : undefined,
    async resumeOpenCases() {
      let resumed = 0;
      // What the start found is handled once: a second call finds nothing new to finish.
      for (const caseId of repair.halfRecordedIntakes.splice(0)) {
        await finishIntake(deps, caseId);
        resumed++;
      }
      // Caught up before the status lists are read: a lagging projection is listed under its old status.
      for (const caseId of repair.laggingProjections.splice(0)) {
        const { state } = await loadCase(deps, caseId);
        await saveFolded(deps, state);
      }
      // Before the executions start, so each waits on its step's recorded date (a stop part-way through is
      // finished here at the next start: the applied profile is stored last).
      system.profileChange = await applyProfileChange(deps);
      for (const status of OPEN_STATUSES) {
        for (const state of await deps.repository.listByStatus(status, 100_000)) {
          const { alreadyStarted } = await engine.startExecution(state.caseId, { caseId: state.caseId });
          if (!alreadyStarted) resumed++;
        }
      }
      await engine.idle();
      return resumed;
    },
    restartFailedExecutions,
    settle: () => engine.idle(),
    async stop() {
      stopDailyTick();
      engine.abortAll();
      await engine.idle();
      useDependencies(undefined);
      await new Promise<void>((resolve) => sesServer.close(() => resolve()));
      const drained = await dynamoTransport.drained();
      const closeError = await new Promise<Error | undefined>((resolve) =>
        dynamoServer.close((error) => resolve(error ?? undefined)),
      );
      // Only once every write is on disk: a stop that timed out may have left one half-written.
      if (cleanStopFile && drained && !closeError) writeFileSync(cleanStopFile, '');
      clock.uninstall();
    },
  };
  return system;
}

/**
 * Set while the daily tick's run (and what it awaits) is under way, so a count of one case's costs
 * (test/workflow/cost-paths.ts) can leave out the day's fixed work. An execution the run restarts carries it too.
 */
export const inDailyRun = new AsyncLocalStorage<true>();

/** The hour (London time) of the daily tick: the scheduled Lambdas' 08:00 in AWS. */
export const DAILY_TICK_HOUR = 8;

/**
 * Calls `run` at 08:00 London time every day, on the (virtual) clock's timers, as EventBridge Scheduler
 * invokes the scheduled functions in AWS. A failed run is logged and the next day's still happens.
 */
function startDailyTick(run: () => Promise<unknown>): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = () => {
    const now = new Date();
    const today = toLondon(now).date;
    let next = Date.parse(londonWallClockToInstant(today, DAILY_TICK_HOUR, 0));
    if (next <= now.getTime()) {
      next = Date.parse(
        londonWallClockToInstant(toLondon(new Date(next + 25 * 3_600_000)).date, DAILY_TICK_HOUR, 0),
      );
    }
    timer = setTimeout(async () => {
      try {
        await run();
      } catch (error) {
        console.error('The daily run failed', error);
      }
      if (!stopped) schedule();
    }, next - now.getTime());
  };
  schedule();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
