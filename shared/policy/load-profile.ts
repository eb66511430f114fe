import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as z from 'zod/mini';
import { ProviderProfile } from './profile.ts';

export const PROVIDERS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../providers');

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`).join('\n');
}

export function parseProfile(raw: unknown, origin: string): ProviderProfile {
  const result = ProviderProfile().safeParse(raw);
  if (!result.success) {
    throw new ProfileError(`Provider profile ${origin} is not valid:\n${formatIssues(result.error.issues)}`);
  }
  return result.data;
}

/** A preset id (a file in providers/) or a path to a profile JSON file. */
export function resolveProfilePath(idOrPath: string): string {
  if (/^[a-z0-9-]+$/.test(idOrPath)) {
    const preset = join(PROVIDERS_DIR, `${idOrPath}.json`);
    if (existsSync(preset)) return preset;
  }
  const path = resolve(idOrPath);
  if (existsSync(path)) return path;
  throw new ProfileError(
    `No provider profile "${idOrPath}": give a preset id (${listPresetIds().join(', ')}) or a path to a profile JSON file`,
  );
}

export function loadProfile(idOrPath: string): ProviderProfile {
  const path = resolveProfilePath(idOrPath);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ProfileError(`Provider profile ${path} is not readable JSON: ${(error as Error).message}`);
  }
  return parseProfile(raw, path);
}

export function listPresetIds(): string[] {
  if (!existsSync(PROVIDERS_DIR)) return [];
  return readdirSync(PROVIDERS_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}
