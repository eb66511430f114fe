import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '#shared/domain/errors.ts';

/** Header CloudFront adds to every request it forwards when the provider runs behind AWS WAF. */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

let expected: Promise<string> | undefined;

async function readExpected(secretArn: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const result = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!result.SecretString) throw new Error('The origin verification secret is empty');
  return result.SecretString;
}

/**
 * With WAF on (ADR 0003) the API is meant to be reached only through CloudFront and its web ACL: a request
 * without CloudFront's secret header came straight to the API endpoint and is refused. Without WAF (and
 * locally) there is nothing to check.
 */
export async function checkOrigin(headers: Record<string, string | undefined>): Promise<void> {
  const secretArn = process.env.ORIGIN_VERIFY_SECRET_ARN;
  if (!secretArn) return;
  expected ??= readExpected(secretArn).catch((error) => {
    expected = undefined;
    throw error;
  });
  const want = Buffer.from(await expected);
  const given = Buffer.from(headers[ORIGIN_VERIFY_HEADER] ?? '');
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new DomainError('FORBIDDEN', 'Use the service through its public address');
  }
}
