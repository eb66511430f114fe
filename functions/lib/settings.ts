import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import { SecretsManagerReader } from '#shared/adapters/secrets-manager.ts';
import { STAFF_ROLES } from '#shared/domain/case.ts';
import { lazy } from '#shared/lazy.ts';
import '#shared/zod-messages.ts';
import { tracing } from './tracing.ts';

/** Step Functions tasks, SES events and scheduled jobs: nothing beyond the use cases' own settings. */
export const TaskSettings = lazy(() => z.object({}));

/** HTTP routes (JSON and pages): with WAF on, the secret CloudFront proves itself with (ADR 0003). */
export const HttpSettings = lazy(() =>
  z.object({ ORIGIN_VERIFY_SECRET_ARN: z.optional(z.string().check(z.minLength(1))) }),
);

/** The pages function: staff sign-in (Cognito in AWS, demo users in local mode) as well. */
export const PageSettings = lazy(() =>
  z.object({
    ...HttpSettings().shape,
    /** Staff sign-in is offered only when all four are set (the pages fail closed without them). */
    COGNITO_ISSUER: z.optional(z.string()),
    COGNITO_CLIENT_ID: z.optional(z.string()),
    COGNITO_DOMAIN: z.optional(z.url()),
    STAFF_BASE_URL: z.optional(z.url()),
    /** Set only by the embedded local runtime (infra/local), never in AWS: demo users instead of Cognito. */
    COMPLAINTS_LOCAL_MODE: z.optional(z.enum(['0', '1'])),
    COMPLAINTS_LOCAL_USERS: z.optional(
      jsonText(
        z.array(z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.enum(STAFF_ROLES) })),
      ),
    ),
  }),
);

/**
 * A string holding JSON that `schema` parses (an environment variable, a secret, an SNS message): text that
 * is not JSON is an issue saying so, never a throw, and its content is never echoed in the message.
 */
export function jsonText<Schema extends core.$ZodType>(schema: Schema) {
  return z.pipe(
    z.pipe(
      z.string(),
      z.transform((text: string, context): unknown => {
        try {
          return JSON.parse(text);
        } catch {
          context.issues.push({ code: 'custom', message: 'must be JSON', input: text });
          return z.NEVER;
        }
      }),
    ),
    schema,
  );
}

export function problemsOf(error: core.$ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
}

const settingsCache = new Map<() => z.ZodMiniObject, { seen: string; value: unknown }>();

/**
 * A function kind's settings, validated on its first invocation (cold start) with a message that says
 * what to set. Validated again only if the variables it reads change (tests and the local runtime do that).
 */
export function settings<Schema extends z.ZodMiniObject>(
  schemaOf: () => Schema,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<Schema> {
  const schema = schemaOf();
  const seen = JSON.stringify(Object.keys(schema.shape).map((name) => env[name]));
  const cached = settingsCache.get(schemaOf);
  if (cached?.seen === seen) return cached.value as z.infer<Schema>;
  const result = schema.safeParse(env);
  if (!result.success) throw new Error(`The function is misconfigured: ${problemsOf(result.error)}`);
  settingsCache.set(schemaOf, { seen, value: result.data });
  return result.data;
}

const secrets = new SecretsManagerReader(tracing.instrument);

/**
 * The one reader of Secrets Manager: cached for five minutes, so a rotated secret (the origin header)
 * is picked up without a redeploy, and read through a traced client.
 */
export async function readSecret(secretArn: string): Promise<string> {
  const value = await secrets.get(secretArn, { maxAge: 300 });
  if (typeof value !== 'string' || value === '') throw new Error('The secret is empty');
  return value;
}
