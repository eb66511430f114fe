import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { checkProfileAtDeploy } from '#shared/usecases/profile-change.ts';
import { dailyRun } from '#shared/usecases/workflow.ts';
import { customResource, isCustomResourceRequest } from '../lib/custom-resource.ts';
import { scheduledJob } from '../lib/middleware.ts';

/**
 * The daily run: resends every workflow callback still owed, then sends the working-morning digest of new
 * tasks. In AWS an EventBridge Scheduler schedule invokes it at 08:00 London time Monday to Friday (the digest
 * skips bank holidays and closure days itself); locally the virtual clock's daily tick calls this same export.
 */
const daily = scheduledJob((deps) => dailyRun(deps));

/** The custom resources' properties (infra/constructs/daily-digest.ts). */
const DeployProfileCheck = z.object({
  pass: z.enum(['record', 'apply']),
  profileFingerprint: z.string().check(z.minLength(1)),
});

/**
 * The profile check at deploy: two CloudFormation custom resources invoke this same function, one before the
 * other functions are updated and one after (shared/usecases/profile-change.ts). It answers with counts only.
 */
const deployCheck = customResource(
  DeployProfileCheck,
  async (deps, check) => {
    const report = await checkProfileAtDeploy(deps, check);
    return {
      outcome: report.outcome,
      casesRecorded: String(report.changes.length),
      lettersSent: String(report.lettersSent),
    };
  },
  'The changed provider profile was not recorded on every open case, so the deploy stops here (the old functions' +
    ' are kept). What was recorded stays and nothing is recorded twice: deploy again to finish it' +
    ' (docs/operations.md, "Changing the provider profile")',
);

export const handler = async (event: unknown, context: Context) =>
  isCustomResourceRequest(event) ? await deployCheck(event, context) : await daily(event, context);
