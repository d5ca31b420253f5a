/**
 * The Open edX Aspects ClickHouse schema, as readable `.sql` files in `./sql/` run in order.
 *
 * The files hold the subset of Aspects that the loader and the report checks need (raw table,
 * event sink, course/learner dims, parsed and per-domain xAPI tables, reporting tables and
 * views), written from the model semantics of the aspects-dbt release in
 * {@link SchemaNames.aspectsVersion} (see `aspects-version.ts` for the files per release). Database
 * and table names are `{{placeholders}}` substituted after validation against
 * {@link IDENTIFIER_PATTERN}. The only value ever substituted is the dictionary login of a server
 * target (`{{dictionary_auth}}`), because DDL accepts no bound parameters; see
 * `dictionaryAuthClause`.
 *
 * Build-time note: the `.sql` files are read at run time from {@link SCHEMA_SQL_DIR}, next to
 * this module, so the build must copy `src/clickhouse/sql/` to `lib/clickhouse/sql/`.
 */

import { readFileSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config/types.ts';
import { aspectsVersionValue, ttlExpression } from '../config/values.ts';
import { describeError, XapiDbLoadError } from '../errors.ts';
import { loginSecrets, quoteLiteral } from '../secrets.ts';
import {
  type AspectsVersion,
  aspectsModels,
  DEFAULT_ASPECTS_VERSION,
  isAspectsVersion,
  resolveAspectsVersion,
  SCHEMA_SQL_DIR,
  schemaFiles,
} from './aspects-version.ts';
import { type ClickHouse, type DictionaryCredentials, redactSecrets } from './connect.ts';

/** The aspects-dbt tag of a release, e.g. `v8.0.0`; absent means the default release. */
export function aspectsDbtTag(version?: AspectsVersion): string {
  return `v${resolveAspectsVersion(version)}`;
}

/**
 * The aspects-dbt tag of the default release ({@link DEFAULT_ASPECTS_VERSION}).
 * @deprecated Read the release from `SchemaNames.aspectsVersion` with {@link aspectsDbtTag}.
 */
export const ASPECTS_DBT_VERSION = aspectsDbtTag(DEFAULT_ASPECTS_VERSION);

/** Database and table names of one Aspects schema. */
export interface SchemaNames {
  /** Raw, parsed and per-domain xAPI tables (`db_name`). @default "xapi" */
  readonly xapiDb: string;
  /** Event-sink tables and course/learner dims (`db_event_sink_name`). @default "event_sink" */
  readonly eventSinkDb: string;
  /** Learner-level tables and views read by reports. @default "reporting" */
  readonly reportingDb: string;
  /** The raw xAPI table in {@link xapiDb} (`event_raw_table_name`). @default "xapi_events_all" */
  readonly rawTable: string;
  /**
   * TTL expression of the tables Aspects puts `ASPECTS_DATA_TTL_EXPRESSION` on (the parsed and
   * per-domain xAPI tables and `dim_learner_last_course_visit`; config key `ttl`), or null/absent
   * for none. Not a name, but it changes the rendered DDL the same way. @default null
   */
  readonly ttl?: string | null;
  /**
   * The aspects-dbt release whose models are created (config key `aspects_version`). Not a name,
   * but it picks the schema files. @default DEFAULT_ASPECTS_VERSION (the newest)
   */
  readonly aspectsVersion?: AspectsVersion;
}

export const DEFAULT_SCHEMA_NAMES: SchemaNames = Object.freeze({
  xapiDb: 'xapi',
  eventSinkDb: 'event_sink',
  reportingDb: 'reporting',
  rawTable: 'xapi_events_all',
});

/**
 * Names from a validated config; the config has no key for the reporting database, which
 * keeps the Aspects default unless overridden.
 */
export function schemaNamesFromConfig(
  config: Pick<Config, 'dbName' | 'dbEventSinkName' | 'eventRawTableName'> &
    Partial<Pick<Config, 'ttl' | 'aspectsVersion'>>,
  reportingDb: string = DEFAULT_SCHEMA_NAMES.reportingDb,
): SchemaNames {
  return Object.freeze({
    xapiDb: config.dbName,
    eventSinkDb: config.dbEventSinkName,
    reportingDb,
    rawTable: config.eventRawTableName,
    ttl: config.ttl ?? null,
    aspectsVersion: resolveAspectsVersion(config.aspectsVersion),
  });
}

/**
 * The schema files of the default release, in build order. Other releases: `schemaFiles(version)`.
 * @deprecated Use `schemaFiles(names.aspectsVersion)`.
 */
export const SCHEMA_FILES: readonly string[] = schemaFiles(DEFAULT_ASPECTS_VERSION);

export { SCHEMA_SQL_DIR };

/** ClickHouse identifiers this package will interpolate into SQL. */
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Dictionaries, in the order they must be reloaded (later ones read earlier ones). */
export function dictionaryNames(names: SchemaNames): readonly string[] {
  const n = checkedNames(names);
  return [
    `${n.eventSinkDb}.dim_course_names`,
    `${n.eventSinkDb}.user_pii`,
    `${n.reportingDb}.dim_course_block_names`,
    `${n.reportingDb}.dim_most_recent_course_tags`,
  ];
}

/**
 * Every table whose rows a ReplacingMergeTree / SummingMergeTree / AggregatingMergeTree
 * collapses on merge; `optimizeFinal` merges them so reports read one row per key.
 */
export function mergeableTables(names: SchemaNames): readonly string[] {
  const n = checkedNames(names);
  // A release without a model has no table to merge (v8.0.0 dropped dim_subsection_performance).
  const models = aspectsModels(n.aspectsVersion);
  const xapi = [
    n.rawTable,
    'xapi_events_all_parsed',
    'enrollment_events',
    'grading_events',
    'navigation_events',
    'problem_events',
    'video_playback_events',
    'fact_instance_events',
    'fact_instance_actors',
    'fact_instance_courses',
  ];
  const sink = [
    'user_profile',
    'external_id',
    'tag',
    'taxonomy',
    'object_tag',
    'dim_most_recent_course_blocks',
    'dim_most_recent_tags',
    'dim_most_recent_taxonomies',
    'dim_most_recent_object_tags',
  ];
  const reporting = [
    'dim_most_recent_enrollment',
    'fact_instance_enrollments',
    'dim_learner_most_recent_course_grade',
    'dim_learner_most_recent_course_state',
    'dim_learner_last_course_visit',
    'dim_learner_last_response',
    'fact_video_segments',
    'dim_problem_responses',
    'dim_problem_results',
    'dim_problem_coursewide_avg',
    'dim_subsection_problem_results',
    'dim_subsection_performance',
    'fact_video_engagement',
  ].filter((table) => models.has(table));
  return [
    ...xapi.map((t) => `${n.xapiDb}.${t}`),
    ...sink.map((t) => `${n.eventSinkDb}.${t}`),
    ...reporting.map((t) => `${n.reportingDb}.${t}`),
  ];
}

/** One statement of the schema, ready to send. */
export interface SchemaStatement {
  /** Path relative to the `sql/` directory, e.g. `11-dashboard-models.sql` or `v8.0.0/12-problem-answers.sql`. */
  readonly file: string;
  /** 1-based position in its file. */
  readonly index: number;
  /** Short label for messages, e.g. `CREATE TABLE IF NOT EXISTS xapi.problem_events`. */
  readonly label: string;
  readonly sql: string;
}

export interface RenderSchemaOptions {
  /**
   * Login of the dictionary sources. `null` (embedded engine) leaves it out; a server needs it,
   * because a local CLICKHOUSE() source otherwise logs in as `default` without a password.
   */
  readonly dictionaryCredentials?: DictionaryCredentials | null;
}

/** The schema's statements with the names substituted; nothing is sent. */
export function renderSchema(names: SchemaNames, options: RenderSchemaOptions = {}): SchemaStatement[] {
  const n = checkedNames(names);
  const values: Record<string, string> = {
    xapi_db: n.xapiDb,
    event_sink_db: n.eventSinkDb,
    reporting_db: n.reportingDb,
    raw_table: n.rawTable,
    ttl_clause: n.ttl ? `TTL ${n.ttl}` : '',
    dictionary_auth: dictionaryAuthClause(options.dictionaryCredentials ?? null),
  };
  const statements: SchemaStatement[] = [];
  for (const file of schemaFiles(n.aspectsVersion)) {
    const text = readFileSync(new URL(file, SCHEMA_SQL_DIR), 'utf8');
    const rendered = text.replace(/\{\{\s*([A-Za-z_]+)\s*\}\}/g, (_match, key: string) => {
      const value = values[key];
      if (value === undefined) throw new XapiDbLoadError(`${file}: unknown placeholder {{${key}}}`);
      return value;
    });
    splitStatements(rendered).forEach((sql, i) => {
      statements.push({ file, index: i + 1, label: statementLabel(sql), sql });
    });
  }
  return statements;
}

/** A bare client or a {@link ClickHouse} handle (which also knows the dictionary login). */
export type ClickHouseLike = ClickHouse | ClickHouseClient;

/**
 * Creates the databases, functions, tables, materialized views, dictionaries and views of the
 * Aspects schema. Idempotent: tables and MVs are `IF NOT EXISTS` (an existing object is kept
 * as is), functions, dictionaries and views are `CREATE OR REPLACE`.
 *
 * @example
 * await using ch = await createClickHouse({ kind: 'embedded' });
 * await initSchema(ch, { ...DEFAULT_SCHEMA_NAMES, xapiDb: 'xapi_test' });
 */
export async function initSchema(
  target: ClickHouseLike,
  names: SchemaNames,
  options: RenderSchemaOptions = {},
): Promise<void> {
  const { client, handle } = unwrap(target);
  const credentials =
    options.dictionaryCredentials !== undefined
      ? options.dictionaryCredentials
      : (handle?.dictionaryCredentials ?? null);
  const statements = renderSchema(names, { dictionaryCredentials: credentials });
  const secrets = credentials ? loginSecrets(credentials.username, credentials.password) : [];
  for (const statement of statements) {
    try {
      await client.command({ query: statement.sql });
    } catch (error) {
      throw schemaError(
        `Aspects schema (aspects-dbt ${aspectsDbtTag(names.aspectsVersion)}) ${statement.file} #${statement.index} ` +
          `\`${statement.label}\` failed on ${handle?.description ?? 'ClickHouse'}`,
        error,
        secrets,
      );
    }
  }
}

/**
 * Drops the three databases (reporting first: its views and MVs read the others). The
 * server-wide UDFs stay: other schemas on the server use them. For tests and `--drop`.
 */
export async function dropSchema(target: ClickHouseLike, names: SchemaNames): Promise<void> {
  const { client, handle } = unwrap(target);
  const n = checkedNames(names);
  const databases = [...new Set([n.reportingDb, n.xapiDb, n.eventSinkDb])];
  for (const db of databases) {
    try {
      await client.command({
        query: `DROP DATABASE IF EXISTS ${db} SYNC`,
        // Cross-database views/MVs/dictionaries would otherwise block the drop order.
        clickhouse_settings: { check_table_dependencies: 0, check_referential_table_dependencies: 0 },
      });
    } catch (error) {
      throw schemaError(`Cannot drop database ${db} on ${handle?.description ?? 'ClickHouse'}`, error, []);
    }
  }
}

/**
 * Reloads the course, block, tag and PII dictionaries from the event-sink tables. Call it after
 * loading event-sink data and before inserting xAPI, or the xAPI MVs join stale names.
 * With `names`, reloads this schema's dictionaries one by one in dependency order (the course
 * tags read the course names); without, runs `SYSTEM RELOAD DICTIONARIES` (every dictionary on
 * the server, in no guaranteed order).
 */
export async function reloadDictionaries(target: ClickHouseLike, names?: SchemaNames): Promise<void> {
  const { client, handle } = unwrap(target);
  const queries = names ? reloadDictionaryStatements(names) : ['SYSTEM RELOAD DICTIONARIES'];
  for (const query of queries) {
    try {
      await client.command({ query });
    } catch (error) {
      throw schemaError(
        `${query} failed on ${handle?.description ?? 'ClickHouse'}`,
        error,
        handle?.dictionaryCredentials ? [handle.dictionaryCredentials.password] : [],
      );
    }
  }
}

/**
 * `OPTIMIZE TABLE … FINAL` on every collapsing table, so "most recent" tables hold one row per
 * key and reports are deterministic (Aspects' own deduplication job does the same).
 */
export async function optimizeFinal(target: ClickHouseLike, names: SchemaNames): Promise<void> {
  const { client, handle } = unwrap(target);
  for (const query of optimizeStatements(names)) {
    try {
      await client.command({ query });
    } catch (error) {
      throw schemaError(`${query} failed on ${handle?.description ?? 'ClickHouse'}`, error, []);
    }
  }
}

/** `SYSTEM RELOAD DICTIONARY …` for this schema's dictionaries, in dependency order. */
export function reloadDictionaryStatements(names: SchemaNames): string[] {
  return dictionaryNames(names).map((d) => `SYSTEM RELOAD DICTIONARY ${d}`);
}

/** `OPTIMIZE TABLE … FINAL` for every collapsing table of this schema. */
export function optimizeStatements(names: SchemaNames): string[] {
  return mergeableTables(names).map((table) => `OPTIMIZE TABLE ${table} FINAL`);
}

/**
 * Splits a SQL script into statements on `;`, ignoring semicolons inside quotes, `$$`/`$tag$`
 * heredocs and comments. Comment-only chunks are dropped.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let hasCode = false;
  let i = 0;
  const n = script.length;
  while (i < n) {
    const ch = script[i] as string;
    const next = script[i + 1];
    if (ch === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      current += script.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      current += script.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < n) {
        const c = script[j];
        if (c === '\\') {
          j += 2;
          continue;
        }
        if (c === ch) {
          if (script[j + 1] === ch) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      current += script.slice(i, j + 1);
      hasCode = true;
      i = j + 1;
      continue;
    }
    if (ch === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(script.slice(i, i + 64));
      if (tag) {
        const end = script.indexOf(tag[0], i + tag[0].length);
        const stop = end === -1 ? n : end + tag[0].length;
        current += script.slice(i, stop);
        hasCode = true;
        i = stop;
        continue;
      }
    }
    if (ch === ';') {
      if (hasCode) statements.push(current.trim());
      current = '';
      hasCode = false;
      i++;
      continue;
    }
    if (!/\s/.test(ch)) hasCode = true;
    current += ch;
    i++;
  }
  if (hasCode) statements.push(current.trim());
  return statements.map(stripEdgeComments);
}

// ---------------------------------------------------------------------------------------------

function unwrap(target: ClickHouseLike): { client: ClickHouseClient; handle: ClickHouse | null } {
  if ('client' in target && 'description' in target) return { client: target.client, handle: target };
  return { client: target as ClickHouseClient, handle: null };
}

function checkedNames(names: SchemaNames): SchemaNames {
  const problems: string[] = [];
  const check = (key: string, value: unknown): void => {
    if (typeof value !== 'string' || !IDENTIFIER_PATTERN.test(value)) {
      problems.push(`${key}: got ${JSON.stringify(value)}; expected an identifier matching ${IDENTIFIER_PATTERN}`);
    }
  };
  check('xapiDb', names.xapiDb);
  check('eventSinkDb', names.eventSinkDb);
  check('reportingDb', names.reportingDb);
  check('rawTable', names.rawTable);
  if (names.ttl != null && ttlExpression.parse(names.ttl) !== names.ttl) {
    problems.push(`ttl: got ${JSON.stringify(names.ttl)}; expected ${ttlExpression.expected}`);
  }
  if (names.aspectsVersion !== undefined && !isAspectsVersion(names.aspectsVersion)) {
    problems.push(
      `aspectsVersion: got ${JSON.stringify(names.aspectsVersion)}; expected ${aspectsVersionValue.expected}`,
    );
  }
  if (problems.length > 0) throw new XapiDbLoadError(`Invalid schema names:\n  - ${problems.join('\n  - ')}`);
  return names;
}

/**
 * `user '…' password '…'` for a dictionary SOURCE. DDL takes no bound parameters, so this is
 * the one place a value is quoted by hand: backslash and quote are escaped, and the clause never
 * reaches a message (statement labels stop before it; server messages are redacted).
 */
function dictionaryAuthClause(credentials: DictionaryCredentials | null): string {
  if (credentials === null) return '';
  return `user ${quoteLiteral(credentials.username)} password ${quoteLiteral(credentials.password)}`;
}

/** Drops whole-line `--` comments before and after a statement (not inside it). */
function stripEdgeComments(sql: string): string {
  const lines = sql.split('\n');
  while (lines.length > 0 && /^\s*(--.*)?$/.test(lines[0] as string)) lines.shift();
  while (lines.length > 0 && /^\s*(--.*)?$/.test(lines[lines.length - 1] as string)) lines.pop();
  return lines.join('\n').trim();
}

/** `CREATE TABLE IF NOT EXISTS db.name` etc.: the statement's head up to the object name. */
function statementLabel(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ');
  const head = /^(.*?\b(?:TABLE|VIEW|DICTIONARY|FUNCTION|DATABASE)\b(?: IF NOT EXISTS)? [A-Za-z0-9_.`]+)/i.exec(flat);
  return head?.[1] ?? flat.slice(0, 60);
}

function schemaError(context: string, error: unknown, secrets: readonly string[]): XapiDbLoadError {
  const reason = redactSecrets(describeError(error), secrets);
  let cause = error;
  if (error instanceof Error && reason !== describeError(error)) {
    cause = new Error(reason);
  }
  return new XapiDbLoadError(`${context}: ${reason}`, { cause });
}
