/** The csv bulk load's SQL: one `INSERT … SELECT … FROM s3()/file()` per file, values bound as parameters. */

import { CHRONOLOGICAL_ORDER, csvStructure } from '../clickhouse/bulk.ts';
import { IDENTIFIER_PATTERN, type SchemaNames } from '../clickhouse/schema.ts';
import { ConfigError } from '../errors.ts';
import { TABLE_KEYS, TABLES, type TableKey } from '../formats/tables.ts';
import { type CsvSource, csvFileLocation } from './csv-source.ts';

export { csvStructure };

/** S3 credentials ClickHouse signs its reads with; `null` = the server's own (or a public bucket). */
export interface S3Credentials {
  readonly key: string;
  readonly secret: string;
}

export interface CsvLoadSqlOptions {
  readonly credentials: S3Credentials | null;
  /** `db_cluster`: read with `s3Cluster(cluster, …)`. */
  readonly cluster: string | null;
  /** Insert xAPI rows in `emission_time` order. */
  readonly chronological: boolean;
}

/** One rendered load: SQL with `{name:Type}` placeholders and the values bound to them. */
export interface CsvLoadStatement {
  readonly table: TableKey;
  /** `db.table` */
  readonly target: string;
  /** The file as ClickHouse reads it (a URL without credentials, or a path). */
  readonly location: string;
  readonly query: string;
  readonly params: Readonly<Record<string, string>>;
}

function checkedIdentifier(name: string, key: string): string {
  if (!IDENTIFIER_PATTERN.test(name)) {
    throw new ConfigError([{ key, message: `${key}: got ${JSON.stringify(name)}; expected an identifier` }]);
  }
  return name;
}

/** `db.table` of a table key under `names`. */
export function loadTarget(table: TableKey, names: SchemaNames): string {
  const layout = TABLES[table];
  if (layout.database === 'xapi') {
    return `${checkedIdentifier(names.xapiDb, 'db_name')}.${checkedIdentifier(names.rawTable, 'event_raw_table_name')}`;
  }
  return `${checkedIdentifier(names.eventSinkDb, 'db_event_sink_name')}.${layout.table}`;
}

/** The table function reading one file: `s3(…)`, `s3Cluster('c', …)` or `file(…)`. */
export function tableFunction(
  source: CsvSource,
  format: string,
  withStructure: boolean,
  options: CsvLoadSqlOptions,
): string {
  const tail = `'${format}'${withStructure ? ', {structure:String}' : ''}`;
  if (source.kind === 'local') return `file({location:String}, ${tail})`;
  const credentials = options.credentials ? '{s3_key:String}, {s3_secret:String}, ' : '';
  const args = `{location:String}, ${credentials}${tail}`;
  if (options.cluster !== null) return `s3Cluster('${checkedIdentifier(options.cluster, 'db_cluster')}', ${args})`;
  return `s3(${args})`;
}

export function credentialParams(source: CsvSource, options: CsvLoadSqlOptions): Record<string, string> {
  return source.kind === 'url' && options.credentials
    ? { s3_key: options.credentials.key, s3_secret: options.credentials.secret }
    : {};
}

/**
 * The eight `INSERT … SELECT` statements, event-sink tables first and xAPI last. Columns are
 * listed on both sides, so the load does not depend on the target table's column order.
 *
 * @example
 * renderCsvLoadStatements(source, DEFAULT_SCHEMA_NAMES, { credentials: null, cluster: null, chronological: true });
 * // [0].query → "INSERT INTO event_sink.course_overviews (`org`, …) SELECT `org`, … FROM s3({location:String}, 'CSV', {structure:String})"
 */
export function renderCsvLoadStatements(
  source: CsvSource,
  names: SchemaNames,
  options: CsvLoadSqlOptions,
): CsvLoadStatement[] {
  const order = [...TABLE_KEYS.filter((t) => TABLES[t].database === 'eventSink'), 'xapi' as const];
  return order.map((table) => {
    const columns = TABLES[table].columns.map((c) => `\`${c.name}\``).join(', ');
    const target = loadTarget(table, names);
    const orderBy = table === 'xapi' && options.chronological ? ` ${CHRONOLOGICAL_ORDER}` : '';
    const location = csvFileLocation(source, table);
    return {
      table,
      target,
      location,
      query: `INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${tableFunction(source, 'CSV', true, options)}${orderBy}`,
      params: { location, structure: csvStructure(table), ...credentialParams(source, options) },
    };
  });
}
