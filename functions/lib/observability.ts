import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Telemetry } from '#shared/ports/telemetry.ts';

/**
 * One logger and one metrics buffer per function (the tracer, when a stack turns it on, is in tracing.ts). The service name comes from
 * POWERTOOLS_SERVICE_NAME and the metrics namespace from POWERTOOLS_METRICS_NAMESPACE (both set per stack by
 * HouseFunction), so each provider's logs and metrics are its own.
 */
export const logger = new Logger();
export const metrics = new Metrics();

/**
 * The use cases' business counts as embedded metrics: one single-metric entry each, so one invocation can
 * count several dimension values without mixing them (docs/operations.md lists them).
 */
export const telemetry: Telemetry = {
  count(metric, dimension) {
    const single = metrics.singleMetric();
    single.addDimension(dimension.name, dimension.value);
    single.addMetric(metric, MetricUnit.Count, 1);
  },
  warn(message, fields, error) {
    logger.warn(message, { ...fields, ...(error === undefined ? {} : errorFields(error, false)) });
  },
};

/** Link and task tokens, email addresses and phone numbers: never written to a log, even inside an error. */
const SECRET_OR_PERSONAL = [
  /token=[^&\s"']+/gi,
  /[A-Za-z0-9_-]{40,}(?:\.[A-Za-z0-9_-]+)*/g,
  /[^\s@"'<>]+@[^\s@"'<>]+\.[^\s@"'<>]+/g,
  /\+?\d[\d ()-]{8,}\d/g,
];

export function redact(text: string): string {
  return SECRET_OR_PERSONAL.reduce((result, pattern) => result.replace(pattern, '[redacted]'), text);
}

/** An unexpected error, with what is needed to fix it: its name, message and stack. */
export function logUnhandled(what: string, route: string, error: unknown): void {
  logger.error(what, { route, ...errorFields(error, true) });
}

/**
 * An error's name and message (and stack) under keys of our own (Powertools reserves `message` for the log
 * line's own text and drops a value given under it), with tokens and contact details redacted.
 */
function errorFields(error: unknown, withStack: boolean): Record<string, string> {
  const failure = error instanceof Error ? error : new Error(String(error));
  return {
    errorName: failure.name,
    errorMessage: redact(failure.message),
    ...(withStack ? { errorStack: redact(failure.stack ?? '') } : {}),
  };
}
