/** The business events worth counting (embedded CloudWatch metrics in AWS; docs/operations.md). */
export type BusinessMetric = 'DeadlineBreached' | 'LettersSent' | 'TaskActions' | 'ComplaintsReceived';

/** Counts one business event, with the one dimension that explains it (a step, a channel, an action). */
export interface Telemetry {
  count(metric: BusinessMetric, dimension: { name: string; value: string }): void;
}
