/**
 * Which aspects-dbt release the schema follows (`aspects_version`), and what differs per release.
 *
 * The `.sql` files in `./sql/` are shared by every release; a release's own files live in
 * `./sql/v<version>/` and hold only the models that differ (v8.0.0 changed
 * `dim_problem_responses` and `dim_problem_results` and dropped `dim_subsection_performance`).
 */

import { readFileSync } from 'node:fs';
import { ASPECTS_VERSIONS, type AspectsVersion, DEFAULT_ASPECTS_VERSION } from '../config/types.ts';

export { ASPECTS_VERSIONS, type AspectsVersion, DEFAULT_ASPECTS_VERSION };

/** True when `x` is a release this package has the schema of (without the "v"). */
export function isAspectsVersion(x: unknown): x is AspectsVersion {
  return typeof x === 'string' && (ASPECTS_VERSIONS as readonly string[]).includes(x);
}

/** The release of `names`-like options: absent means {@link DEFAULT_ASPECTS_VERSION}. */
export function resolveAspectsVersion(version: AspectsVersion | undefined): AspectsVersion {
  return version ?? DEFAULT_ASPECTS_VERSION;
}

/** Files every release runs, in build order (databases → UDFs → sources → dims → parsed → domains → reporting). */
const SHARED_FILES = [
  '01-databases.sql',
  '02-functions.sql',
  '03-raw-xapi.sql',
  '04-event-sink.sql',
  '05-course-dims.sql',
  '06-xapi-parsed.sql',
  '07-xapi-domains.sql',
  '08-instance-facts.sql',
  '09-reporting-mvs.sql',
  '10-reporting-views.sql',
  '11-dashboard-models.sql',
] as const;

/** Per release: the shared files, then the release's own (paths relative to `sql/`). */
const FILES_BY_VERSION: Readonly<Record<AspectsVersion, readonly string[]>> = {
  '7.0.0': [...SHARED_FILES, 'v7.0.0/12-problem-answers.sql'],
  '8.0.0': [...SHARED_FILES, 'v8.0.0/12-problem-answers.sql'],
};

/** The schema files of a release, in the order they run (paths relative to {@link SCHEMA_SQL_DIR}). */
export function schemaFiles(version?: AspectsVersion): readonly string[] {
  return FILES_BY_VERSION[resolveAspectsVersion(version)];
}

/** Directory of the `.sql` files, next to this module (the build copies `src/clickhouse/sql` to `lib/clickhouse/sql`). */
export const SCHEMA_SQL_DIR = new URL('./sql/', import.meta.url);

const modelCache = new Map<AspectsVersion, ReadonlySet<string>>();

// `CREATE … [TABLE|VIEW|MATERIALIZED VIEW|DICTIONARY] [IF NOT EXISTS] {{xapi_db|reporting_db}}.name`
const CREATED_OBJECT =
  /\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:MATERIALIZED\s+VIEW|VIEW|TABLE|DICTIONARY)\s+(?:IF\s+NOT\s+EXISTS\s+)?\{\{(xapi_db|reporting_db)\}\}\.([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * The tables, views, materialized views and dictionaries a release creates in the xAPI and
 * reporting databases (bare names, e.g. `dim_subsection_performance`), read from its schema files,
 * so reports and checks can skip a model a release does not have.
 *
 * @example
 * aspectsModels('8.0.0').has('dim_subsection_performance'); // false
 */
export function aspectsModels(version?: AspectsVersion): ReadonlySet<string> {
  const resolved = resolveAspectsVersion(version);
  const cached = modelCache.get(resolved);
  if (cached) return cached;
  const models = new Set<string>();
  for (const file of schemaFiles(resolved)) {
    const text = readFileSync(new URL(file, SCHEMA_SQL_DIR), 'utf8');
    for (const match of text.matchAll(CREATED_OBJECT)) models.add(match[2] as string);
  }
  const frozen: ReadonlySet<string> = models;
  modelCache.set(resolved, frozen);
  return frozen;
}
