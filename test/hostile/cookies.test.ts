import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { callback } from '#functions/web/staff-sign-in.ts';
import { apiEvent, lambdaContext, useLocalAws } from '../handlers/setup.ts';

useLocalAws();

describe('cookies a browser did not get from us', () => {
  it('a malformed "%" in the sign-in state cookie answers 400 asking to sign in again, not 500', async () => {
    delete process.env.COMPLAINTS_LOCAL_MODE;
    process.env.COGNITO_DOMAIN = 'https://auth.example.org';
    process.env.COGNITO_CLIENT_ID = 'client-123';
    // Sign-in is offered only with the pool's issuer configured (fail closed); the cookie is what is hostile.
    process.env.COGNITO_ISSUER = 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Example';
    for (const cookie of [
      'staff_oauth_state=%E0%A4%A',
      'staff_oauth_state=abc%',
      'staff_oauth_state=%zz.x',
    ]) {
      const result = (await callback(
        apiEvent({
          routeKey: 'GET /staff/callback',
          rawPath: '/staff/callback',
          headers: { accept: 'text/html' },
          queryStringParameters: { code: 'the-code', state: 'abc' },
          cookies: [cookie],
        }),
        lambdaContext,
      )) as APIGatewayProxyStructuredResultV2;
      expect(result.statusCode, cookie).toBe(400);
      expect(String(result.body), cookie).toContain('Sign in again');
    }
  });
});
