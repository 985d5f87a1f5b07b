/** The validation profiles selectable by name (config VALIDATION_PROFILE). */
import { DEFAULT_PROFILE } from '../validate';
import type { ValidationProfile } from '../types';
import { NORWAY_PROFILE } from './norway';

const PROFILES: Record<string, ValidationProfile> = {
  ihe: DEFAULT_PROFILE,
  default: DEFAULT_PROFILE,
  norway: NORWAY_PROFILE,
};

export const PROFILE_NAMES: readonly string[] = Object.keys(PROFILES);

/** The profile with this name ('ihe' = the IHE rules unchanged, 'norway'); throws on an unknown name. */
export function selectProfile(name: string): ValidationProfile {
  const profile = PROFILES[name.trim().toLowerCase()];
  if (profile === undefined) throw new Error(`unknown validation profile '${name}' (known: ${PROFILE_NAMES.join(', ')})`);
  return profile;
}
