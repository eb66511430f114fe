/**
 * The local runtime's process settings that must be in place before any handler module loads: imported first by
 * `runtime.ts` and `system.ts` (ES modules run their imports in order, so this runs before the handlers').
 *
 * The Powertools tracer loads the X-Ray SDK, whose default automatic mode installs a cls-hooked async hook the
 * moment it is imported: every promise in the process is then tracked to its destruction (about 4 % of the queue
 * page's CPU in a profile). Tracing is off outside Lambda anyway (the tracer needs `AWS_EXECUTION_ENV`), so
 * manual mode changes nothing else; in Lambda the variable is never set and the hook is what traces each call.
 * A value already in the environment wins.
 */
process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
