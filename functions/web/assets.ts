import { assetRoute } from '../lib/asset-route.ts';
import { assetFile } from './asset-files.ts';

/** GET /assets/{proxy+} and /govuk/{proxy+}: the govuk-frontend files, from the package, never from user paths. */
export const handler = assetRoute((event) => assetFile(event.rawPath));
