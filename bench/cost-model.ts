/**
 * The cost model bench:cost prints and test/workflow/cost-target.test.ts guards: a path's counted requests
 * priced by AWS's rules and eu-west-2 list prices.
 *
 * Prices: eu-west-2 (London) on-demand list prices, as published on these pages when this file was written
 * (2026-12-07; the rates were not re-read from this machine, which is offline: check them before quoting):
 * - Step Functions https://aws.amazon.com/step-functions/pricing/ : $0.025 per 1,000 state transitions
 * - Lambda https://aws.amazon.com/lambda/pricing/ : Arm $0.0000133334 per GB-s, $0.20 per million requests
 * - DynamoDB https://aws.amazon.com/dynamodb/pricing/on-demand/ : $0.7425 per million write request units,
 *   $0.1485 per million read request units (the rates after the November 2024 on-demand price cut)
 * - SES https://aws.amazon.com/ses/pricing/ : $0.10 per 1,000 emails sent
 * - KMS https://aws.amazon.com/kms/pricing/ : $1 per customer managed key a month, $0.03 per 10,000 requests
 * - Secrets Manager https://aws.amazon.com/secrets-manager/pricing/ : $0.40 per secret a month, $0.05 per
 *   10,000 API calls
 * - CloudWatch https://aws.amazon.com/cloudwatch/pricing/ : $0.10 per standard alarm a month, $3 per dashboard,
 *   $0.5985 per GB of logs ingested, $0.0315 per GB-month of logs stored
 * - X-Ray https://aws.amazon.com/xray/pricing/ : $5 per million traces recorded (the first 100,000 a month free,
 *   not deducted here); only with the profile's `features.xrayTracing` on (ADR 0020)
 * - EventBridge Scheduler https://aws.amazon.com/eventbridge/pricing/ : $1 per million scheduled invocations (the
 *   first 14 million a month free, not deducted here)
 * - Cognito https://aws.amazon.com/cognito/pricing/ : Plus feature plan, $0.02 per monthly active user
 * - WAF https://aws.amazon.com/waf/pricing/ : $5 per web ACL and $1 per rule a month, $0.60 per million requests
 *
 */
import { loadProfile } from '#shared/policy/load-profile.ts';
import { type CostPath, countPath, type DynamoCall, notThePath } from '../test/workflow/cost-paths.ts';
import { type Item, requestUnits } from './request-units.ts';

export const PRICE = {
  transition: 0.025 / 1_000,
  gbSecond: 0.0000133334,
  request: 0.2 / 1_000_000,
  writeUnit: 0.7425 / 1_000_000,
  readUnit: 0.1485 / 1_000_000,
  email: 0.1 / 1_000,
  kmsRequest: 0.03 / 10_000,
  kmsKey: 1,
  secretsCall: 0.05 / 10_000,
  secret: 0.4,
  alarm: 0.1,
  dashboard: 3,
  cognitoMau: 0.02,
  webAcl: 5,
  wafRule: 1,
  logGb: 0.5985,
  logGbMonth: 0.0315,
  xrayTrace: 5 / 1_000_000,
  schedulerInvocation: 1 / 1_000_000,
} as const;

/** The functions' memory (house-function.ts), and a cold start's modelled init and a handler's run. */
const MEMORY_GB = 0.5;
export const INIT_SECONDS = 0.45;
const RUN_SECONDS = 0.15;
const LOG_KB_PER_INVOCATION = 2;
const LOG_KB_PER_TRANSITION = 1.5;
export const TARGET_PER_CASE = 0.0012;
export const COMPLAINTS_A_YEAR = 10_000;

/**
 * The calls with a digest's mark on each staff task of a role that takes new tasks as a digest (an UpdateItem
 * setting `announcedAt`, as `sendTaskDigests` does), right after the task's first write. Modelled: the paths act
 * on each task at once, before the next working morning's digest would list it. The digest email is shared by
 * the day's tasks of every case (a fixed cost, like the daily run's reads).
 */
function withDigestMarks(
  calls: readonly DynamoCall[],
  digestRoles: ReadonlySet<string>,
): { calls: DynamoCall[]; marks: number } {
  let marks = 0;
  const marked = calls.flatMap((call): DynamoCall[] => {
    const task = call.operation === 'PutItem' ? (call.input.Item as Item) : undefined;
    if (!task || !String(task.pk).startsWith('TASK#') || !digestRoles.has(String(task.role))) return [call];
    marks++;
    const at = String(task.createdAt);
    const mark = {
      operation: 'UpdateItem',
      input: {
        Key: { pk: task.pk, sk: task.sk },
        UpdateExpression: 'SET announcedAt = :at',
        ExpressionAttributeValues: { ':at': at },
      },
      output: { Attributes: { ...task, announcedAt: at } },
    };
    return [call, mark];
  });
  return { calls: marked, marks };
}

export interface PathCost {
  name: string;
  businessEvents: number;
  transitions: number;
  invocations: number;
  gbSeconds: number;
  dynamoCalls: number;
  /** Calls DynamoDB refused (a conditional write that lost, charged as AWS does). */
  refused: number;
  digestMarks: number;
  read: number;
  write: number;
  indexWrite: number;
  emails: number;
  staffAlerts: number;
  kmsCalls: number;
  secretsCalls: number;
  /**
   * X-Ray traces the case records with the profile's `features.xrayTracing` on (ADR 0020), off by default: one
   * per API invocation (the HTTP API passes no trace header, so Lambda starts one for each) and one for the
   * execution, which the task functions it invokes join (Step Functions passes them its trace header).
   */
  traces: number;
  /** Priced at list price, with the default deployment (tracing off): what `total` adds up. */
  dollars: Record<string, number>;
  total: number;
  /** The traces' price, and the total with tracing on. */
  xrayWhenOn: number;
  totalWithTracing: number;
}

/** Runs one path on the local runtime, counts what it did and prices it. */
export async function pricePath(path: CostPath): Promise<PathCost> {
  let calls: DynamoCall[] = [];
  let emails = 0;
  let staffAlerts = 0;
  const count = await countPath(path, (h, recorded) => {
    // The path's requests only: not the driver's reads, nor the daily run's (a fixed cost).
    calls = recorded;
    const mailer = h.deps.mailer;
    const send = mailer.send.bind(mailer);
    mailer.send = async (email) => {
      const sent = await send(email);
      // A digest the daily run sends covers every case's new tasks: a fixed cost, like its reads.
      if (notThePath()) return sent;
      emails++;
      // Resident letters carry their correspondence key; staff alerts and digests do not.
      if (!email.headers?.['X-Correspondence-Key']) staffAlerts++;
      return sent;
    };
  });
  const newTasks = loadProfile(path.profile).notifications.newTasks;
  const digestRoles = new Set(
    Object.keys(newTasks).filter((role) => newTasks[role as keyof typeof newTasks] === 'digest'),
  );
  const { calls: priced, marks } = withDigestMarks(calls, digestRoles);
  const units = requestUnits(priced);
  // Each intake or staff action is one API function invocation; each Task state one workflow invocation.
  const invocations = count.invocations + count.businessEvents;
  const gbSeconds = invocations * MEMORY_GB * (INIT_SECONDS + RUN_SECONDS);
  const secretsCalls = invocations;
  const kmsCalls = invocations * 2;
  // Upper bound: the intake's StartExecution carries its function's trace header, so the execution may well
  // join the intake's trace rather than start its own.
  const traces = count.businessEvents + 1;
  const xrayWhenOn = traces * PRICE.xrayTrace;
  const dollars: Record<string, number> = {
    transitions: count.transitions * PRICE.transition,
    lambda: gbSeconds * PRICE.gbSecond + invocations * PRICE.request,
    dynamodb: (units.write + units.indexWrite) * PRICE.writeUnit + units.read * PRICE.readUnit,
    emails: emails * PRICE.email,
    kms: kmsCalls * PRICE.kmsRequest,
    secrets: secretsCalls * PRICE.secretsCall,
    logs:
      ((invocations * LOG_KB_PER_INVOCATION + count.transitions * LOG_KB_PER_TRANSITION) / 1024 / 1024) *
      PRICE.logGb,
  };
  const total = Object.values(dollars).reduce((a, b) => a + b, 0);
  return {
    name: path.name,
    businessEvents: count.businessEvents,
    transitions: count.transitions,
    invocations,
    gbSeconds,
    dynamoCalls: calls.length,
    refused: calls.filter((call) => call.failed).length,
    digestMarks: marks,
    ...units,
    emails,
    staffAlerts,
    kmsCalls,
    secretsCalls,
    traces,
    dollars,
    total,
    xrayWhenOn,
    totalWithTracing: total + xrayWhenOn,
  };
}

/**
 * The line `npm run bench:cost` prints for the full path: its cost by default against the target, and with
 * X-Ray tracing on (a provider option, ADR 0020), which the target does not assume.
 */
export function targetLine(full: PathCost): string {
  const money = (n: number, digits = 6) => `$${n.toFixed(digits)}`;
  const met = (total: number) => (total <= TARGET_PER_CASE ? 'met' : 'NOT met');
  return [
    `Full two-stage case: ${money(full.total)} against the target of ${money(TARGET_PER_CASE, 4)}: ${met(full.total)}.`,
    `With X-Ray tracing on (features.xrayTracing): ${money(full.totalWithTracing)} (${full.traces} traces, ${money(full.xrayWhenOn)}): ${met(full.totalWithTracing)}.`,
  ].join('\n');
}
