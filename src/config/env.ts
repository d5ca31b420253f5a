/**
 * Environment variables that override secrets, so credentials can stay out of config files.
 * The names are the original tool's. Any set value wins over the YAML value, the empty string
 * included (that is how a user clears a password committed by mistake).
 */

/** Environment variable → the YAML key it overrides. */
export const ENV_OVERRIDES = [
  { env: 'XAPI_DB_LOAD_CLICKHOUSE_PASSWORD', key: 'db_password' },
  { env: 'XAPI_DB_LOAD_AWS_SECRET_ACCESS_KEY', key: 's3_secret' },
  // The original's default_config.yaml comment says `ralph_password`; its code (and ours) uses
  // `lrs_password` (quirk Q23).
  { env: 'XAPI_DB_LOAD_RALPH_PASSWORD', key: 'lrs_password' },
] as const;

/** A read-only view of environment variables, such as `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Returns a copy of `values` with every set override applied. */
export function applyEnvOverrides(values: ReadonlyMap<string, unknown>, env: Env): Map<string, unknown> {
  const result = new Map(values);
  for (const { env: name, key } of ENV_OVERRIDES) {
    const value = env[name];
    if (value !== undefined) result.set(key, value);
  }
  return result;
}
