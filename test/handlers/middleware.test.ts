import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import {
  dependencies,
  dependenciesFrom,
  HttpSettings,
  PageSettings,
  readConfig,
  settings,
} from '#functions/lib/config.ts';
import {
  assetRoute,
  httpRoute,
  scheduledJob,
  snsMessages,
  withDependencies,
  workflowTask,
} from '#functions/lib/middleware.ts';
import {
  BodyTooLargeError,
  checkPathIds,
  configured,
  flushMetrics,
  jsonErrors,
  limitBody,
  parseJson,
  plainErrors,
  rethrowRedacted,
  verifyOrigin,
} from '#functions/lib/middlewares.ts';
import { metrics, telemetry } from '#functions/lib/observability.ts';
import { s3ObjectCreated } from '#functions/lib/s3-events.ts';
import { s3Objects } from '#functions/lib/s3-objects.ts';
import { tracing } from '#functions/lib/tracing.ts';
import { webPage } from '#functions/web/route.ts';
import { staffPage } from '#functions/web/staff-route.ts';
import { DomainError } from '#shared/domain/errors.ts';
import { capturedOutput } from '../support/output.ts';
import { apiEvent, lambdaContext, parse, staffClaims, useLocalAws } from './setup.ts';

useLocalAws();
afterEach(() => vi.restoreAllMocks());

/** A middleware's `before` (or `onError`) run on a request of our own, as middy would. */
function requestOf(event: unknown, error?: unknown) {
  return { event, context: {} as Record<string, unknown>, response: undefined, error, internal: {} } as never;
}

/** Everything written to stdout and stderr while `run` ran. */
const stdout = capturedOutput;

/** The embedded-metrics line in what was written (outside a stack, Powertools also warns of no namespace). */
function emf(written: string): unknown {
  return JSON.parse(written.split('\n').find((line) => line.startsWith('{"_aws"')) ?? 'null');
}

describe('configured', () => {
  it('refuses a misconfigured function at its first request, naming the variable to set', () => {
    // Prepare
    const env = { ORIGIN_VERIFY_SECRET_ARN: '' };
    // Act / Assess
    expect(() => settings(HttpSettings, env)).toThrow(/misconfigured: ORIGIN_VERIFY_SECRET_ARN: Too small/);
    expect(() => readConfig({})).toThrow(/misconfigured: TABLE_NAME: .*PROVIDER_PROFILE_FILE/);
    expect(settings(HttpSettings, {})).toEqual({});
  });

  it('says which variable holds text that is not JSON, without echoing it', () => {
    // Prepare
    const unreadable = '{handler: hannah@example.org';
    // Act
    const config = (() => {
      try {
        return readConfig({ ...process.env, STAFF_ALERT_EMAILS: unreadable });
      } catch (error) {
        return error;
      }
    })();
    // Assess
    expect(config).toBeInstanceOf(Error);
    expect(String(config)).toMatch(/misconfigured: STAFF_ALERT_EMAILS: must be JSON/);
    expect(String(config)).not.toContain('hannah');
    expect(() => settings(PageSettings, { COMPLAINTS_LOCAL_USERS: '[' })).toThrow(
      /misconfigured: COMPLAINTS_LOCAL_USERS: must be JSON/,
    );
  });

  it('runs the check before the handler', async () => {
    const check = configured(() => z.object({ NEEDED: z.string() })).before;
    expect(() => check?.(requestOf({}))).toThrow(/NEEDED/);
  });
});

describe('withDependencies', () => {
  it('puts the adapters on the context, and builds a traced SDK client only when a use case needs it', async () => {
    // Prepare
    const capture = vi.spyOn(tracing, 'instrument');
    const deps = dependenciesFrom(readConfig(), (await dependencies()).secrets);
    capture.mockClear();
    // Act
    void deps.repository;
    void deps.repository;
    // Assess
    expect(capture).toHaveBeenCalledTimes(1);
    expect(capture.mock.calls[0]?.[0]).toBeInstanceOf(DynamoDBClient);
    const request = requestOf({}) as { context: { deps?: unknown } };
    await withDependencies().before?.(request as never);
    expect(request.context.deps).toBe(await dependencies());
  });

  it('refuses mail and letters the function was not granted, naming it and the grant, instead of a folder', async () => {
    // Prepare: the environment of a function whose uses has neither mail nor letters
    const { SES_CONFIGURATION_SET, LETTERS_DIR, ...ungranted } = process.env;
    const deps = dependenciesFrom(
      readConfig(ungranted),
      (await dependencies()).secrets,
      'complaints-test-close-case',
    );
    const email = { from: 'a@landlord.example', to: ['b@resident.example'], subject: 'Our final response' };
    // Act
    const sent = await deps.mailer.send(email as never).catch((error: unknown) => error);
    const stored = await deps.letters.put('case-1/final-response-7.txt', 'Dear Pat').catch((e: unknown) => e);
    // Assess
    expect(String(sent)).toMatch(
      /complaints-test-close-case is not granted mail, so it cannot send the email "Our final response"\. Add mail: true to its uses/,
    );
    expect(String(stored)).toMatch(
      /complaints-test-close-case is not granted letters, so it cannot store the letter case-1\/final-response-7\.txt for posting\. Add letters: true/,
    );
  });
});

describe('verifyOrigin', () => {
  it('reads the secret through one cached reader, and refuses a request without its header', async () => {
    // Prepare
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'edge-secret' });
    vi.stubEnv('ORIGIN_VERIFY_SECRET_ARN', 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:edge');
    const check = verifyOrigin().before;
    try {
      // Act
      await check?.(requestOf(apiEvent({ headers: { 'x-origin-verify': 'edge-secret' } })));
      const refused = await Promise.resolve(check?.(requestOf(apiEvent({})))).catch((e: unknown) => e);
      // Assess
      expect(refused).toBeInstanceOf(DomainError);
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    } finally {
      vi.unstubAllEnvs();
      secrets.restore();
    }
  });

  it('does nothing without WAF (no secret configured)', async () => {
    await expect(Promise.resolve(verifyOrigin().before?.(requestOf(apiEvent({}))))).resolves.toBeUndefined();
  });
});

describe('checkPathIds, limitBody and parseJson', () => {
  it('refuse an id that names nothing, an oversized body and bad JSON; parse the rest', async () => {
    expect(() => checkPathIds().before?.(requestOf(apiEvent({ pathParameters: { caseId: 'a b' } })))).toThrow(
      /no caseId like that/,
    );
    expect(() => limitBody(10).before?.(requestOf(apiEvent({ body: 'x'.repeat(11) })))).toThrow(
      BodyTooLargeError,
    );
    expect(() => parseJson().before?.(requestOf(apiEvent({ body: '{"nope' })))).toThrow(SyntaxError);
    const request = requestOf(apiEvent({ json: { a: 1 } })) as { context: { body?: unknown } };
    await parseJson().before?.(request as never);
    expect(request.context.body).toEqual({ a: 1 });
  });

  it('give each invocation its own context, even when callers share one (concurrent requests)', async () => {
    // Prepare
    const shared = { functionName: 'f' };
    const first = { ...(requestOf(apiEvent({ json: { n: 1 } })) as object), context: shared };
    const second = { ...(requestOf(apiEvent({ json: { n: 2 } })) as object), context: shared };
    // Act
    await parseJson().before?.(first as never);
    await parseJson().before?.(second as never);
    // Assess
    expect([first.context, second.context].map((c) => (c as { body?: unknown }).body)).toEqual([
      { n: 1 },
      { n: 2 },
    ]);
    expect(first.context.functionName).toBe('f');
    expect(shared).toEqual({ functionName: 'f' });
  });
});

describe('flushMetrics', () => {
  it('publishes what the invocation counted, and writes nothing when it counted nothing', async () => {
    const silent = await stdout(() => flushMetrics().after?.(requestOf({})));
    expect(silent).toBe('');
    metrics.addMetric('TaskActions', 'Count', 1);
    const written = await stdout(() => flushMetrics().onError?.(requestOf({})));
    expect(emf(written)).toMatchObject({ TaskActions: 1 });
  });

  it('counts business events with their dimension (the use cases call this)', async () => {
    const written = await stdout(() => telemetry.count('LettersSent', { name: 'Channel', value: 'post' }));
    expect(emf(written)).toMatchObject({ LettersSent: 1, Channel: 'post' });
  });
});

describe('error handlers', () => {
  it('jsonErrors maps every error in one place: 413, a domain 4xx, a generic 500', async () => {
    const answer = async (error: unknown) => {
      const request = requestOf(apiEvent({}), error) as { response?: APIGatewayProxyStructuredResultV2 };
      await jsonErrors().onError?.(request as never);
      return parse(request.response);
    };
    expect(await answer(new BodyTooLargeError(1024))).toMatchObject({ statusCode: 413 });
    expect(await answer(new DomainError('NOT_FOUND', 'gone'))).toMatchObject({ statusCode: 404 });
    const unknown = await stdout(async () =>
      expect(await answer(new TypeError('boom'))).toMatchObject({
        statusCode: 500,
        body: { error: 'INTERNAL' },
      }),
    );
    expect(unknown).toContain('Unhandled error');
  });

  it('plainErrors answers a static file refusal with a plain 403', async () => {
    const request = requestOf(apiEvent({}), new DomainError('FORBIDDEN', 'no')) as {
      response?: APIGatewayProxyStructuredResultV2;
    };
    await plainErrors().onError?.(request as never);
    expect(request.response).toMatchObject({ statusCode: 403, body: 'Forbidden' });
  });

  it('rethrowRedacted turns a parse failure into the ValidationError the ASL catches', async () => {
    const task = workflowTask(
      () => z.object({ caseId: z.string() }),
      async () => 'never',
    );
    const thrown = await stdout(() =>
      expect(task({ caseId: 7 }, lambdaContext)).rejects.toMatchObject({
        name: 'ValidationError',
        message: expect.stringMatching(/^Workflow task input is invalid: /),
      }),
    );
    expect(thrown).toContain('Workflow task failed');
    expect(rethrowRedacted().onError).toBeTypeOf('function');
  });
});

describe('stacks', () => {
  it('httpRoute hands one use case the parsed body and the adapters', async () => {
    const route = httpRoute(async ({ deps, body }) => ({
      statusCode: 200,
      body: JSON.stringify({ body, profile: deps.context.profile.name.length > 0 }),
    }));
    const answer = parse(await route(apiEvent({ json: { hello: 'world' } }), lambdaContext));
    expect(answer).toEqual({ statusCode: 200, body: { body: { hello: 'world' }, profile: true } });
  });

  it('snsMessages parses each JSON message and passes an odd one as undefined', async () => {
    const handler = snsMessages(
      () => z.object({ eventType: z.string() }),
      async (_deps, messages) => messages,
    );
    const event = {
      Records: [{ Sns: { Message: '{"eventType":"Bounce"}' } }, { Sns: { Message: 'not json' } }],
    };
    expect(await handler(event, lambdaContext)).toEqual([{ eventType: 'Bounce' }, undefined]);
  });

  it('s3Objects (email intake) gets the validated S3 event, and refuses an event that is not from S3', async () => {
    const handler = s3Objects(async (_deps, event) => event.detail.object.key);
    const event = s3ObjectCreated({
      bucket: 'complaints-inbound',
      key: 'inbound/message-1',
      size: 1024,
      time: '2026-03-02T10:00:00.000Z',
    });
    expect(await handler(event, lambdaContext)).toBe('inbound/message-1');
    await stdout(() =>
      expect(handler({ Records: [] }, lambdaContext)).rejects.toMatchObject({ name: 'ValidationError' }),
    );
  });

  it('s3Objects refuses an event that is not an S3 Object Created with a key and a time, and lets other fields be', async () => {
    const handler = s3Objects(async (_deps, event) => event.detail.object.key);
    const event = s3ObjectCreated({ bucket: 'b', key: 'inbound/m', size: 1, time: '2026-03-02T10:00:00Z' });
    const refused = [
      { ...event, source: 'aws.ec2' },
      { ...event, 'detail-type': 'Object Deleted' },
      { ...event, time: 'yesterday' },
      { ...event, detail: { ...event.detail, object: { size: 1 } } },
      { ...event, detail: { ...event.detail, object: { key: '' } } },
    ];
    for (const odd of refused)
      await stdout(() =>
        expect(handler(odd, lambdaContext)).rejects.toMatchObject({ name: 'ValidationError' }),
      );
    const { account: _, resources: __, ...fewer } = event;
    expect(await handler({ ...fewer, 'replay-name': 'r' }, lambdaContext)).toBe('inbound/m');
  });

  it('scheduledJob runs its job with the adapters whatever the schedule sends', async () => {
    const job = scheduledJob(async (deps) => deps.staffAddresses.manager);
    expect(await job({}, lambdaContext)).toBe('managers@landlord.example');
  });

  it('assetRoute verifies the origin before serving', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'edge-secret-2' });
    vi.stubEnv('ORIGIN_VERIFY_SECRET_ARN', 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:edge2');
    try {
      const files = assetRoute(async () => ({ statusCode: 200, body: 'file' }));
      expect(await files(apiEvent({}), lambdaContext)).toMatchObject({ statusCode: 403 });
      const allowed = apiEvent({ headers: { 'x-origin-verify': 'edge-secret-2' } });
      expect(await files(allowed, lambdaContext)).toMatchObject({ statusCode: 200 });
    } finally {
      vi.unstubAllEnvs();
      secrets.restore();
    }
  });
});

describe('page stacks', () => {
  const ok = async () => ({ statusCode: 200, body: 'page' });

  it('staffPage sends a request without a session to sign in, and back to the page after', async () => {
    const answer = await staffPage(ok)(
      apiEvent({ rawPath: '/staff/case/c1', routeKey: 'GET /staff' }),
      lambdaContext,
    );
    expect(answer).toMatchObject({
      statusCode: 303,
      headers: { location: '/staff/sign-in?next=%2Fstaff%2Fcase%2Fc1' },
    });
  });

  it('staffPage refuses a staff form without its CSRF token before the page runs', async () => {
    const page = vi.fn(ok);
    const form = apiEvent({
      routeKey: 'POST /staff/case/{caseId}/record',
      body: 'note=hello',
      claims: staffClaims('handler'),
    });
    const answer = (await staffPage(page)(form, lambdaContext)) as APIGatewayProxyStructuredResultV2;
    expect(answer.statusCode).toBe(403);
    expect(page).not.toHaveBeenCalled();
    const view = apiEvent({ routeKey: 'GET /staff', claims: staffClaims('handler') });
    expect(await staffPage(page)(view, lambdaContext)).toMatchObject({ statusCode: 200 });
  });

  it('webPage maps a body over its limit and an unexpected error to readable pages', async () => {
    const big = apiEvent({ routeKey: 'POST /complain', body: 'x'.repeat(300 * 1024) });
    const tooLarge = (await webPage(ok)(big, lambdaContext)) as APIGatewayProxyStructuredResultV2;
    expect(tooLarge.statusCode).toBe(422);
    expect(tooLarge.body).toContain('What you sent is too large');
    const failing = webPage(async () => {
      throw new TypeError('boom');
    });
    const logged = await stdout(async () => {
      const page = (await failing(
        apiEvent({ routeKey: 'GET /' }),
        lambdaContext,
      )) as APIGatewayProxyStructuredResultV2;
      expect(page.statusCode).toBe(500);
      expect(page.body).toContain('Sorry, there is a problem with the service');
    });
    expect(logged).toContain('Unhandled page error');
  });
});
