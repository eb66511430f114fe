/** The only source of "now" for domain code; adapters supply real or virtual time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
