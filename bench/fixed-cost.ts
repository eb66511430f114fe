/**
 * The fixed monthly cost of one provider's stacks, from the synthesized templates: what is kept whatever the
 * number of complaints (KMS keys, alarms, dashboard, secrets, Cognito, WAF when on) and what runs on a schedule
 * whatever the number of complaints (bench/scheduled-jobs.ts: each job's invocations, init and run, DynamoDB
 * requests on an empty table, the secret read and KMS calls of its cold start, the schedule's own invocations,
 * its logs ingested and stored for the log group's retention, its X-Ray traces). bench:cost prints it; the
 * cost test checks every schedule has a line. Prices: bench/cost-model.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../infra/app.ts';
import { INIT_SECONDS, PRICE } from './cost-model.ts';
import { assertPriceable, type JobRun, type ScheduledJob } from './scheduled-jobs.ts';

/** The templates of one provider's stacks, synthesized without bundling the functions. */
export function synthTemplates(provider: string): Template[] {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'bench-cost-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const built = buildApp({ provider, account: '123456789012', region: 'eu-west-2' }, app);
  app.synth();
  return [built.data, built.workflow, ...(built.edge ? [built.edge] : [])].map((stack) =>
    Template.fromStack(stack),
  );
}

export interface KeptResources {
  keys: number;
  alarms: number;
  dashboards: number;
  secrets: number;
  userPools: number;
  webAcls: number;
  wafRules: number;
  total: number;
}

/** What the stacks keep, a month (Cognito Plus at `staffUsers` active staff). */
export function keptResources(templates: readonly Template[], staffUsers: number): KeptResources {
  const countOf = (type: string) =>
    templates.reduce((sum, template) => sum + Object.keys(template.findResources(type)).length, 0);
  const webAcls = templates.flatMap((template) =>
    Object.values(template.findResources('AWS::WAFv2::WebACL')),
  );
  const wafRules = webAcls.reduce(
    (sum, acl) => sum + ((acl.Properties as { Rules?: unknown[] }).Rules?.length ?? 0),
    0,
  );
  const kept = {
    keys: countOf('AWS::KMS::Key'),
    alarms: countOf('AWS::CloudWatch::Alarm'),
    dashboards: countOf('AWS::CloudWatch::Dashboard'),
    secrets: countOf('AWS::SecretsManager::Secret'),
    userPools: countOf('AWS::Cognito::UserPool'),
    webAcls: webAcls.length,
    wafRules,
  };
  return {
    ...kept,
    total:
      kept.keys * PRICE.kmsKey +
      kept.alarms * PRICE.alarm +
      kept.dashboards * PRICE.dashboard +
      kept.secrets * PRICE.secret +
      kept.userPools * staffUsers * PRICE.cognitoMau +
      kept.webAcls * PRICE.webAcl +
      kept.wafRules * PRICE.wafRule,
  };
}

/**
 * What Lambda itself writes to a function's log group per invocation (Text format, as the functions log):
 * START, END, and REPORT with a cold start's init and the X-Ray trace line of an actively traced function.
 */
export function platformLogBytes(job: ScheduledJob, handlerMs: number): number {
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const lines = [
    `START RequestId: ${id} Version: $LATEST\n`,
    `END RequestId: ${id}\n`,
    `REPORT RequestId: ${id}\tDuration: ${handlerMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(handlerMs)} ms\tMemory Size: ${job.memoryMb} MB\tMax Memory Used: 120 MB\tInit Duration: ${(INIT_SECONDS * 1000).toFixed(2)} ms\t\n`,
    ...(job.traced
      ? ['XRAY TraceId: 1-5759e988-bd862e3fe1be46a994272793\tSegmentId: 53995c3f42cd8ad8\tSampled: true\t\n']
      : []),
  ];
  return lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
}

/** One scheduled job's month, counted and priced. */
export interface ScheduledLine {
  schedule: string;
  job: string;
  expression: string;
  runs: number;
  memoryMb: number;
  handlerMs: number;
  gbSeconds: number;
  dynamoCalls: number;
  read: number;
  write: number;
  stepFunctionsCalls: number;
  emails: number;
  kmsCalls: number;
  secretsCalls: number;
  /** Bytes logged a month: the handler's (measured) and Lambda's own lines. */
  logBytes: number;
  /** Bytes held at steady state: a month's logs times the retention in months. */
  storedBytes: number;
  traces: number;
  dollars: Record<string, number>;
  total: number;
}

const GB = 1024 ** 3;

/** Prices each job's month from its runs a month and what one run did (every run a cold start). */
export function priceScheduledJobs(
  jobs: readonly ScheduledJob[],
  measured: ReadonlyMap<string, JobRun>,
): ScheduledLine[] {
  assertPriceable(jobs);
  return jobs.map((job) => {
    const run = measured.get(job.job);
    if (!run?.runs) throw new Error(`The ${job.job} job was not run by measureScheduledJobs`);
    const runs = job.runsPerMonth;
    const gbSeconds = runs * (job.memoryMb / 1024) * (INIT_SECONDS + Math.ceil(run.handlerMs) / 1000);
    // A cold start reads the app secret (one Secrets Manager call, one KMS decrypt) and DynamoDB fetches the
    // table key once (one KMS call), as bench/cost-model.ts models every invocation.
    const secretsCalls = runs;
    const kmsCalls = runs * 2;
    const logBytes = runs * (run.logBytes + platformLogBytes(job, run.handlerMs));
    const storedBytes = logBytes * (job.logRetentionDays / (365.25 / 12));
    const traces = job.traced ? runs : 0;
    const dollars = {
      lambda: gbSeconds * PRICE.gbSecond + runs * PRICE.request,
      scheduler: runs * PRICE.schedulerInvocation,
      dynamodb: runs * ((run.write + run.indexWrite) * PRICE.writeUnit + run.read * PRICE.readUnit),
      emails: runs * run.emails * PRICE.email,
      kms: kmsCalls * PRICE.kmsRequest,
      secrets: secretsCalls * PRICE.secretsCall,
      logs: (logBytes / GB) * PRICE.logGb + (storedBytes / GB) * PRICE.logGbMonth,
      xray: traces * PRICE.xrayTrace,
    };
    return {
      schedule: job.schedule,
      job: job.job,
      expression: job.expression,
      runs,
      memoryMb: job.memoryMb,
      handlerMs: run.handlerMs,
      gbSeconds,
      dynamoCalls: runs * run.dynamoCalls,
      read: runs * run.read,
      write: runs * (run.write + run.indexWrite),
      stepFunctionsCalls: runs * run.stepFunctionsCalls,
      emails: runs * run.emails,
      kmsCalls,
      secretsCalls,
      logBytes,
      storedBytes,
      traces,
      dollars,
      total: Object.values(dollars).reduce((a, b) => a + b, 0),
    };
  });
}
