import { formatLintReport, lintProfile } from '#shared/policy/lint.ts';
import { loadProfile, resolveProfilePath } from '#shared/policy/load-profile.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { stackPrefix } from './powertools-environment.ts';

export class NonCompliantProfileError extends Error {
  override readonly name = 'NonCompliantProfileError';
}

export interface ProviderContext {
  profile: ProviderProfile;
  profilePath: string;
  /** Prefix for every resource name, so several providers can share an account and region. */
  prefix: string;
}

/** Loads and validates the profile for a synth; an unexplained departure from the Code stops it. */
export function providerContext(idOrPath: string): ProviderContext {
  const profilePath = resolveProfilePath(idOrPath);
  const profile = loadProfile(profilePath);
  const report = lintProfile(profile);
  if (!report.compliant) {
    throw new NonCompliantProfileError(
      `Provider profile ${profile.id} departs from the Code without an explanation, so it cannot be deployed:\n${formatLintReport(report)}\nFix the profile, or explain each departure in "explanations".`,
    );
  }
  return { profile, profilePath, prefix: stackPrefix(profile.id) };
}
