/**
 * `xapi-db-load init-schema`: creates the Aspects schema ({@link initSchema}) and says, object by
 * object, what it did: created, replaced (functions, dictionaries and views are
 * `CREATE OR REPLACE`) or kept (tables and materialized views that already existed are left as
 * they are, with their data).
 */

import { formatInt } from '../run/format.ts';
import type { ClickHouse } from './connect.ts';
import { aspectsDbtTag, initSchema, renderSchema, type SchemaNames } from './schema.ts';

export type SchemaObjectKind = 'database' | 'function' | 'table' | 'materialized view' | 'dictionary' | 'view';
export type SchemaObjectStatus = 'created' | 'replaced' | 'kept';

export interface SchemaObject {
  readonly kind: SchemaObjectKind;
  /** `db.name`, or the bare name of a database or function. */
  readonly name: string;
  readonly status: SchemaObjectStatus;
}

export interface InitSchemaReport {
  readonly aspectsDbtVersion: string;
  readonly target: string;
  readonly serverVersion: string;
  readonly names: SchemaNames;
  readonly objects: readonly SchemaObject[];
}

const LABEL =
  /^CREATE (OR REPLACE )?(DATABASE|FUNCTION|TABLE|MATERIALIZED VIEW|DICTIONARY|VIEW)(?: IF NOT EXISTS)? (\S+)$/i;

/** What the schema's statements create, in order, with whether each is `OR REPLACE`. */
export function schemaObjects(
  names: SchemaNames,
): readonly { kind: SchemaObjectKind; name: string; replaceable: boolean }[] {
  return renderSchema(names).map((statement) => {
    const match = LABEL.exec(statement.label);
    if (!match) throw new Error(`${statement.file} #${statement.index}: unexpected statement ${statement.label}`);
    return {
      kind: (match[2] as string).toLowerCase() as SchemaObjectKind,
      name: (match[3] as string).replaceAll('`', ''),
      replaceable: match[1] !== undefined,
    };
  });
}

/** Names of the databases, tables/views/dictionaries and SQL functions that exist now. */
async function existingObjects(ch: ClickHouse, names: SchemaNames): Promise<Set<string>> {
  const databases = [...new Set([names.xapiDb, names.eventSinkDb, names.reportingDb])];
  const rs = await ch.client.query({
    query: `SELECT name FROM system.databases WHERE name IN {dbs:Array(String)}
UNION ALL SELECT concat(database, '.', name) FROM system.tables WHERE database IN {dbs:Array(String)}
UNION ALL SELECT name FROM system.functions WHERE origin = 'SQLUserDefined'`,
    query_params: { dbs: databases },
    format: 'JSONEachRow',
  });
  return new Set((await rs.json<{ name: string }>()).map((r) => r.name));
}

/**
 * Creates the Aspects schema on `ch` (idempotent) and reports each object's fate.
 *
 * @example
 * await using ch = await createClickHouse({ kind: 'embedded' });
 * const report = await initSchemaWithReport(ch, DEFAULT_SCHEMA_NAMES);
 * console.log(formatInitSchemaReport(report));
 */
export async function initSchemaWithReport(ch: ClickHouse, names: SchemaNames): Promise<InitSchemaReport> {
  const planned = schemaObjects(names);
  const existed = await existingObjects(ch, names);
  await initSchema(ch, names);
  return {
    aspectsDbtVersion: aspectsDbtTag(names.aspectsVersion),
    target: ch.description,
    serverVersion: ch.serverVersion,
    names,
    objects: planned.map((o) => ({
      kind: o.kind,
      name: o.name,
      status: !existed.has(o.name) ? 'created' : o.replaceable ? 'replaced' : 'kept',
    })),
  };
}

/** One header, one line per object, one totals line. */
export function formatInitSchemaReport(report: InitSchemaReport): string {
  const count = (status: SchemaObjectStatus) => report.objects.filter((o) => o.status === status).length;
  const kindWidth = Math.max(...report.objects.map((o) => o.kind.length));
  return [
    `Aspects schema, aspects-dbt ${report.aspectsDbtVersion}, on ${report.target} (engine ${report.serverVersion})`,
    `Databases: ${report.names.xapiDb} (xAPI), ${report.names.eventSinkDb} (event sink), ${report.names.reportingDb} (reporting)`,
    '',
    ...report.objects.map((o) => `${o.status.padEnd(8)}  ${o.kind.padEnd(kindWidth)}  ${o.name}`),
    '',
    `${formatInt(report.objects.length)} objects: ${count('created')} created, ${count('replaced')} replaced ` +
      `(functions, dictionaries, views), ${count('kept')} already present and kept as they were (tables keep their rows)`,
  ].join('\n');
}
