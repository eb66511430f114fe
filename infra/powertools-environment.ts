/**
 * What Powertools reads from the environment, one set per provider stack: each provider's logs carry its
 * service name and its embedded metrics land in its own namespace. The CDK sets these on every function
 * (HouseFunction), the local runtime on its one process before any handler module loads, and vitest for the
 * suites, so no logger says `service_undefined` and no metric falls back to the default namespace.
 */
export function powertoolsEnvironment(prefix: string): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: prefix,
    POWERTOOLS_METRICS_NAMESPACE: prefix,
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}

/** The prefix of every resource name of a provider's stacks (and so its service name and metrics namespace). */
export function stackPrefix(profileId: string): string {
  return `complaints-${profileId}`;
}
