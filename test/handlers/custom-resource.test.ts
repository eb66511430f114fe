import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { customResource, runAgainLater } from '#functions/lib/custom-resource.ts';
import { lambdaContext, useLocalAws } from './setup.ts';

/**
 * The answer to CloudFormation (functions/lib/custom-resource.ts) is a PUT to a presigned URL. One that is never
 * answered must not hold the function to its own timeout (15 minutes for the profile check), and one that does not
 * reach CloudFormation is not followed by a FAILED answer (it would not reach it either): the invocation fails, and
 * Lambda runs it again.
 */
useLocalAws();

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Stands in for the presigned URL: keeps the answers PUT to it and answers each with `respond` (or never). */
async function answerUrl(respond: (response: ServerResponse) => void) {
  const answers: Array<Record<string, unknown>> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      answers.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      respond(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/answer?X-Amz-Signature=secret`, answers };
}

const request = (url: string) => ({
  RequestType: 'Update',
  ResponseURL: url,
  StackId: 'arn:aws:cloudformation:eu-west-2:123456789012:stack/complaints-code-baseline/1',
  RequestId: 'request-1',
  ResourceType: 'Custom::ProfileCheck',
  LogicalResourceId: 'ProfileRecorded',
  PhysicalResourceId: 'ProfileRecorded',
  ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-2:123456789012:function:x', pass: 'record' },
});

function resource(answerWithinMs: number) {
  let runs = 0;
  const handler = customResource(
    () => z.object({ pass: z.string() }),
    async () => {
      runs++;
      return { outcome: 'recorded' };
    },
    'Nothing was recorded',
    { answerWithinMs },
  );
  return { handler, runs: () => runs };
}

describe('a custom resource answering CloudFormation', () => {
  it('gives up on an answer URL that never answers, after its limit, and fails the invocation for Lambda to retry', async () => {
    const hanging = await answerUrl(() => {});
    const { handler, runs } = resource(200);
    await expect(handler(request(hanging.url), lambdaContext)).rejects.toThrow(
      "CloudFormation's answer URL did not take the answer within 0.2 s; the invocation fails so that Lambda runs it again",
    );
    expect(runs()).toBe(1);
    // One PUT: no FAILED answer after a SUCCESS that did not go.
    expect(hanging.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
  });

  it('fails the invocation when the answer is refused, without a FAILED answer after it', async () => {
    const refusing = await answerUrl((response) => {
      response.statusCode = 403;
      response.end();
    });
    const { handler } = resource(10_000);
    await expect(handler(request(refusing.url), lambdaContext)).rejects.toThrow(
      'CloudFormation refused the custom resource answer: HTTP 403',
    );
    expect(refusing.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
  });

  it("answers SUCCESS with the run's data when the URL takes it", async () => {
    const taking = await answerUrl((response) => response.end());
    const { handler } = resource(10_000);
    expect(await handler(request(taking.url), lambdaContext)).toEqual({ outcome: 'recorded' });
    expect(taking.answers).toEqual([
      expect.objectContaining({ Status: 'SUCCESS', RequestId: 'request-1', Data: { outcome: 'recorded' } }),
    ]);
  });

  it('answers nothing for a run that stops to be run again, and fails the invocation for Lambda to retry; any other failure is answered FAILED', async () => {
    const taking = await answerUrl((response) => response.end());
    let outcome: Error = runAgainLater(
      'Stopped short of the timeout; it continues when Lambda runs it again',
    );
    const handler = customResource(
      () => z.object({ pass: z.string() }),
      async () => {
        throw outcome;
      },
      'Nothing was recorded',
    );
    await expect(handler(request(taking.url), lambdaContext)).rejects.toMatchObject({
      name: 'RunAgainLater',
      message: 'Stopped short of the timeout; it continues when Lambda runs it again',
    });
    expect(taking.answers).toEqual([]);
    outcome = Object.assign(new Error('table refused'), { name: 'AccessDeniedException' });
    expect(await handler(request(taking.url), lambdaContext)).toBeUndefined();
    expect(taking.answers).toEqual([expect.objectContaining({ Status: 'FAILED' })]);
  });
});
