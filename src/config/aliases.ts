/**
 * Rewrites legacy spellings (table `LEGACY_ALIASES` in `keys.ts`) to current ones, printing one
 * deprecation line per alias used.
 */

import { LEGACY_ALIASES } from './keys.ts';

/** The raw config after alias rewriting, plus where each rewritten key came from. */
export interface NormalizedRaw {
  /** Top-level keys in source order, legacy keys renamed. */
  readonly values: Map<string, unknown>;
  /**
   * Current key → the legacy key the user actually wrote, so messages name what is in their file
   * (`num_batches: got "ten"; …`, not `num_xapi_batches`).
   */
  readonly writtenAs: ReadonlyMap<string, string>;
}

/**
 * Applies every legacy alias. When both the legacy and the current key are present the current
 * key wins, and the line says the legacy one was ignored.
 */
export function applyLegacyAliases(raw: ReadonlyMap<string, unknown>, warn: (line: string) => void): NormalizedRaw {
  const values = new Map(raw);
  const writtenAs = new Map<string, string>();
  for (const alias of LEGACY_ALIASES) {
    if (alias.kind === 'key') {
      if (!values.has(alias.legacy)) continue;
      const legacyValue = values.get(alias.legacy);
      const head = `"${alias.legacy}" is deprecated; use "${alias.current}" instead.`;
      if (values.has(alias.current)) {
        values.delete(alias.legacy);
        warn(`${head} Both are set, so "${alias.legacy}" is ignored.`);
      } else {
        values.delete(alias.legacy);
        values.set(alias.current, legacyValue);
        writtenAs.set(alias.current, alias.legacy);
        warn(head);
      }
    } else if (values.get(alias.key) === alias.legacy) {
      values.set(alias.key, alias.current);
      warn(`${alias.key}: "${alias.legacy}" is deprecated; use "${alias.current}" instead.`);
    }
  }
  return { values, writtenAs };
}
