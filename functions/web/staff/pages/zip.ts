import { zipSync } from 'fflate';

/**
 * A ZIP of `entries`, with fixed times so the same files give the same bytes. Imported with `import()` by the
 * pages that offer one: fflate builds its compression tables while it loads, 3 to 7 ms of every cold start of
 * the functions that carry it, and through this module the bundle keeps only the part of fflate it uses
 * (ADR 0018).
 */
export function zipFiles(entries: Record<string, Uint8Array>): Uint8Array {
  return zipSync(entries, { level: 6, mtime: new Date('2000-01-01T00:00:00Z') });
}
