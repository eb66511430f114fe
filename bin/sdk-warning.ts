/**
 * Silences the AWS SDK's NodeVersionSupportWarning (its releases after the first week of January 2027 need
 * Node 22): this machine runs Node 20 (shared/reference/toolchain.md), where the warning is printed on every
 * command that creates an SDK client and says nothing the user of `npm start` or `complaints` can act on.
 * Only the process entry points call it, before any client is created; an explicit setting is kept.
 */
export function silenceSdkNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
