import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { dependencies, useDependencies } from '#functions/lib/config.ts';
import type { ApiEvent } from '#functions/lib/middleware.ts';
import { PROVIDERS_DIR } from '#shared/policy/load-profile.ts';
import { DynamoWatch, LOCAL_AWS, type LocalDynamo, startDynalite } from '../support/dynamodb.ts';

export const STATE_MACHINE_ARN =
  'arn:aws:states:eu-west-2:123456789012:stateMachine:complaints-code-baseline';

/**
 * Configures the handlers as a deployment would: the real DynamoDB adapter on this file's dynalite (a fresh
 * table for each test), Step Functions and SES mocked.
 */
async function localAws(dynamo: LocalDynamo) {
  const tableName = await dynamo.createTable();
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    // The handlers build their own DynamoDB client; the SDK takes its endpoint from here.
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
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
    // The mail grant's variable: without it a handler's mailer refuses (functions/lib/config.ts).
    SES_CONFIGURATION_SET: 'test-configuration-set',
    ATTACHMENTS_DIR: mkdtempSync(join(tmpdir(), 'attachments-')),
  });
  useDependencies(undefined);
  // Every document client the handlers build is watched: the test sees their commands and can fail writes.
  const watch = new DynamoWatch();
  const from = DynamoDBDocumentClient.from.bind(DynamoDBDocumentClient);
  const spy = vi.spyOn(DynamoDBDocumentClient, 'from').mockImplementation((client, config) => {
    watch.attach(client);
    return from(client, config);
  });
  const table = {
    name: tableName,
    /** Every item in this test's table. */
    items: () => dynamo.scan(tableName),
  };
  const sfn = mockClient(SFNClient);
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`,
  }));
  sfn.on(SendTaskSuccessCommand).resolves({});
  const ses = mockClient(SESv2Client);
  let sent = 0;
  ses.on(SendEmailCommand).callsFake(() => ({ MessageId: `ses-${++sent}` }));
  return { table, dynamo: watch, sfn, ses, spy };
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
 * Registers, for every test in the file, a fixed date (Monday 2 March 2026, 10:00), a fresh DynamoDB table on
 * the file's dynalite and freshly mocked Step Functions and SES clients, and restores all of them (and the
 * environment) afterwards. Returns the current test's table and mocks.
 */
export function useLocalAws(): () => Awaited<ReturnType<typeof localAws>> {
  let dynamo: LocalDynamo | undefined;
  let aws: Awaited<ReturnType<typeof localAws>> | undefined;
  let savedEnv: NodeJS.ProcessEnv = {};
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo?.stop();
  });
  beforeEach(async () => {
    savedEnv = { ...process.env };
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-02T10:00:00Z') });
    if (!dynamo) throw new Error('useLocalAws: dynalite did not start');
    aws = await localAws(dynamo);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    aws?.spy.mockRestore();
    aws?.sfn.restore();
    aws?.ses.restore();
    useDependencies(undefined);
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  });
  return () => {
    if (!aws) throw new Error('useLocalAws: the table and mocks exist only inside a test');
    return aws;
  };
}

const EMAIL_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'email');
let emailsStored = 0;

/**
 * Stores an email fixture in the inbound store as SES would, its Message-ID made unique (intake recognises a
 * message it has seen by its id), with any text replaced. Returns the object's key and size.
 */
export async function storeEmailFixture(
  name: string,
  messageId: string,
  replacements: Record<string, string> = {},
): Promise<{ key: string; size: number }> {
  let raw = readFileSync(join(EMAIL_FIXTURES, name), 'latin1').replace(
    /^Message-ID: <[^>]+>/im,
    `Message-ID: <${messageId}>`,
  );
  for (const [from, to] of Object.entries(replacements)) raw = raw.replaceAll(from, to);
  const key = `2026-03-02/${++emailsStored}-${name}`;
  const inbound = (await dependencies()).inboundEmail;
  if (!inbound) throw new Error('no inbound store');
  await inbound.put(key, Buffer.from(raw, 'latin1'), 'message/rfc822');
  return { key, size: raw.length };
}
