import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { httpRoute, workflowTask } from '#functions/lib/middleware.ts';
import { webPage } from '#functions/web/route.ts';
import { apiEvent, lambdaContext, useLocalAws } from '../handlers/setup.ts';
import { capturedOutput } from '../support/output.ts';

useLocalAws();

/** Everything the handler wrote to stdout and stderr while it ran, one parsed JSON object per log line. */
async function captured(
  run: () => Promise<unknown>,
): Promise<{ lines: Record<string, unknown>[]; raw: string }> {
  const raw = await capturedOutput(run);
  const lines = raw
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, raw };
}

const SECRET_TOKEN =
  'AAAAQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2ln';

function failing(): Error {
  const error = new TypeError(
    `Cannot read properties of undefined (reading 'seq') for ada@resident.example on 07700 900123 with token=${SECRET_TOKEN}`,
  );
  return error;
}

afterEach(() => vi.restoreAllMocks());

describe('error logs', () => {
  it("keep the error's name, message and stack, without tokens or personal data (API and pages)", async () => {
    const api = httpRoute(async () => {
      throw failing();
    });
    const page = webPage(async () => {
      throw failing();
    });
    for (const handler of [api, page]) {
      const { lines, raw } = await captured(async () => {
        const result = (await handler(
          apiEvent({ routeKey: 'POST /cases/{caseId}/actions' }),
          lambdaContext,
        )) as APIGatewayProxyStructuredResultV2;
        expect(result.statusCode).toBe(500);
      });
      const line = lines.find((entry) => entry.level === 'ERROR');
      expect(line).toMatchObject({
        route: 'POST /cases/{caseId}/actions',
        errorName: 'TypeError',
        errorMessage: expect.stringContaining("Cannot read properties of undefined (reading 'seq')"),
        errorStack: expect.stringMatching(/TypeError: Cannot read properties[\s\S]*\n\s+at failing /),
      });
      expect(String(line?.message)).toMatch(/^Unhandled (page )?error$/);
      expect(raw).not.toContain(SECRET_TOKEN.slice(0, 20));
      expect(raw).not.toContain('ada@resident.example');
      expect(raw).not.toContain('07700 900123');
    }
  });

  it('of a workflow task keep the error name the ASL matches on, and leave no address in the log or the rethrown error', async () => {
    const rejection = Object.assign(
      new Error(
        `Email address is not verified. The following identities failed the check: ada@resident.example`,
      ),
      { name: 'MessageRejected' },
    );
    const task = workflowTask(
      () => z.object({ caseId: z.string() }),
      async () => {
        throw rejection;
      },
    );
    let thrown: unknown;
    const { lines, raw } = await captured(async () => {
      thrown = await task({ caseId: 'c1' }, lambdaContext).catch((error: unknown) => error);
    });
    expect(thrown).toBeInstanceOf(Error);
    const rethrown = thrown as Error;
    expect(rethrown.name).toBe('MessageRejected');
    expect(rethrown.message).toMatch(/^Email address is not verified/);
    expect(`${rethrown.message} ${rethrown.stack}`).not.toContain('ada@resident.example');
    expect(lines.find((entry) => entry.level === 'ERROR')).toMatchObject({
      errorName: 'MessageRejected',
      errorMessage: expect.stringContaining('[redacted]'),
    });
    expect(raw).not.toContain('ada@resident.example');
  });
});
