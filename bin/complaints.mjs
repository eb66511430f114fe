#!/usr/bin/env node
// The `complaints` CLI: loads the TypeScript sources through tsx so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { silenceSdkNodeVersionWarning } = await import('./sdk-warning.ts');
silenceSdkNodeVersionWarning();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
