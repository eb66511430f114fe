import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, vi } from 'vitest';
import { useDependencies } from '#functions/lib/config.ts';
import type { ApiEvent } from '#functions/lib/middleware.ts';
import { PROVIDERS_DIR } from '#shared/policy/load-profile.ts';
import { fakeTable } from '../support/fake-table.ts';

export const STATE_MACHINE_ARN =
  'arn:aws:states:eu-west-2:123456789012:stateMachine:complaints-code-baseline';

/** Configures the handlers as a deployment would, with every AWS client mocked. */
export function mockedAws() {
  Object.assign(process.env, {
    TABLE_NAME: 'complaints-test',
    STATE_MACHINE_ARN,
    PROVIDER_PROFILE_FILE: join(PROVIDERS_DIR, 'code-baseline.json'),
    CONTACT_HASH_KEY: 'test-contact-hash-key-0123456789abcdef',
    LINK_SIGNING_KEY: 'test-link-signing-key-0123456789abcdef',
    CSRF_KEY: 'test-csrf-key-0123456789abcdef-0123456789',
    RESIDENT_BASE_URL: 'https://complaints.example.org',
    STAFF_BASE_URL: 'https://complaints.example.org/staff',
    STAFF_ALERT_EMAILS: JSON.stringify({
      handler: 'handlers@landlord.example',
      reviewer: 'reviewers@landlord.example',
      manager: 'managers@landlord.example',
      admin: 'admins@landlord.example',
    }),
    LETTERS_DIR: mkdtempSync(join(tmpdir(), 'letters-')),
    ATTACHMENTS_DIR: mkdtempSync(join(tmpdir(), 'attachments-')),
  });
  useDependencies(undefined);
  const table = fakeTable();
  const sfn = mockClient(SFNClient);
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`,
  }));
  sfn.on(SendTaskSuccessCommand).resolves({});
  const ses = mockClient(SESv2Client);
  let sent = 0;
  ses.on(SendEmailCommand).callsFake(() => ({ MessageId: `ses-${++sent}` }));
  return { table, sfn, ses };
}

export function apiEvent(
  overrides: Partial<ApiEvent> & { json?: unknown; claims?: Record<string, unknown> },
): ApiEvent {
  const { json, claims, ...rest } = overrides;
  return {
    version: '2.0',
    routeKey: 'POST /test',
    rawPath: '/test',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    body: json === undefined ? undefined : JSON.stringify(json),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'complaints.example.org',
      domainPrefix: 'complaints',
      http: {
        method: 'POST',
        path: '/test',
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: 'vitest',
      },
      requestId: 'request',
      routeKey: 'POST /test',
      stage: '$default',
      time: '',
      timeEpoch: 0,
      ...(claims ? { authorizer: { jwt: { claims } } } : {}),
    },
    ...rest,
  } as ApiEvent;
}

export const staffClaims = (role: string, email = `${role}@landlord.example`) => ({
  token_use: 'id',
  email_verified: true,
  sub: `sub-${email}`,
  email,
  'cognito:groups': [role],
});

export const lambdaContext = {} as never;

export function parse(response: unknown): { statusCode: number; body: Record<string, unknown> } {
  const result = response as APIGatewayProxyStructuredResultV2;
  return { statusCode: result.statusCode ?? 0, body: JSON.parse(String(result.body)) };
}

/**
 * Registers, for every test in the file, a fixed date (Monday 2 March 2026, 10:00) and freshly mocked AWS
 * clients, and restores both (and the environment) afterwards. Returns the current test's mocks.
 */
export function useMockedAws(): () => ReturnType<typeof mockedAws> {
  let aws: ReturnType<typeof mockedAws> | undefined;
  let savedEnv: NodeJS.ProcessEnv = {};
  beforeEach(() => {
    savedEnv = { ...process.env };
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-02T10:00:00Z') });
    aws = mockedAws();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    aws?.table.mock.restore();
    aws?.sfn.restore();
    aws?.ses.restore();
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  });
  return () => {
    if (!aws) throw new Error('useMockedAws: the mocks exist only inside a test');
    return aws;
  };
}
