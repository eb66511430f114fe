/** The business events worth counting (embedded CloudWatch metrics in AWS; docs/operations.md). */
export type BusinessMetric =
  | 'DeadlineBreached'
  | 'LettersSent'
  | 'TaskActions'
  | 'ComplaintsReceived'
  | 'CallbackOwed';

/** Counts one business event, with the one dimension that explains it (a step, a channel, an action). */
export interface Telemetry {
  count(metric: BusinessMetric, dimension: { name: string; value: string }): void;
  /**
   * Something the system recovers from by itself but an operator should be able to find: logged as a
   * warning. Fields are ids and steps, never tokens or personal data; the error's name and message are
   * logged with tokens and contact details redacted.
   */
  warn(message: string, fields: Record<string, string | number>, error?: unknown): void;
}
