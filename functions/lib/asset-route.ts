import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { configured, observed, plainErrors, verifyOrigin } from './middlewares.ts';
import type { ApiEvent } from './request.ts';
import { HttpSettings } from './settings.ts';

/**
 * Static files (HTTP API, no use case): origin verified, nothing else; a refusal is a plain 403 and a
 * failure a plain 500, since no page can be rendered without the provider's dependencies.
 */
export function assetRoute(run: (event: ApiEvent) => Promise<APIGatewayProxyStructuredResultV2>) {
  return observed(middy<ApiEvent, APIGatewayProxyStructuredResultV2, Error, Context>())
    .use(plainErrors())
    .use(configured(HttpSettings))
    .use(verifyOrigin())
    .handler((event) => run(event));
}
