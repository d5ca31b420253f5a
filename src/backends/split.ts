/**
 * The ralph and vector backends are two sinks in one, as in the original tool: the event-sink
 * tables (and, by default, the initial enrollments) go straight to ClickHouse, and the xAPI
 * statements go to a statement stream (Ralph POSTs, Vector log lines). This file routes chunks
 * between the two parts; each part stays a plain {@link Sink} that knows nothing of the other.
 */

import { SinkError } from '../errors.ts';
import { TABLES, type TableKey } from '../formats/tables.ts';
import type { DatasetPlan } from '../generate/dataset.ts';
import { formatInt } from '../util/format.ts';
import type { ChunkResult } from './chunk.ts';
import type { ChunkFormat, Sink, SinkSummary, TableWriteSummary } from './sink.ts';

export interface SplitSinkParts {
  /** Event-sink tables, plus the initial enrollment chunks unless they go to `statements`. */
  readonly clickhouse: Sink;
  /** xAPI chunks: the random batches, plus the initial enrollments when `enrollmentsToStatements`. */
  readonly statements: Sink;
  /** Send the initial enrollment chunks to `statements` instead of ClickHouse. */
  readonly enrollmentsToStatements: boolean;
  /** @default `${clickhouse.description}; ${statements.description}` */
  readonly description?: string;
}

type Part = 'clickhouse' | 'statements';

/**
 * What each part is told the dataset is: ClickHouse sees an xAPI table of only the enrollment
 * chunks (or none), so its own bookkeeping (chunks left, expected rows) stays true.
 */
function clickhousePlan(plan: DatasetPlan, withEnrollments: boolean): DatasetPlan {
  return {
    ...plan,
    tables: {
      ...plan.tables,
      xapi: {
        key: 'xapi',
        chunks: withEnrollments ? plan.enrollmentChunks : 0,
        rows: withEnrollments ? plan.enrollmentStatements : 0,
      },
    },
    enrollmentChunks: withEnrollments ? plan.enrollmentChunks : 0,
    enrollmentStatements: withEnrollments ? plan.enrollmentStatements : 0,
    randomStatements: 0,
  };
}

function statementsPlan(plan: DatasetPlan, withEnrollments: boolean): DatasetPlan {
  const skipped = withEnrollments ? 0 : plan.enrollmentChunks;
  return {
    ...plan,
    tables: {
      ...plan.tables,
      xapi: {
        key: 'xapi',
        chunks: plan.tables.xapi.chunks - skipped,
        rows: plan.tables.xapi.rows - (withEnrollments ? 0 : plan.enrollmentStatements),
      },
    },
    enrollmentChunks: withEnrollments ? plan.enrollmentChunks : 0,
    enrollmentStatements: withEnrollments ? plan.enrollmentStatements : 0,
  };
}

/** Sums two parts' summaries of the same table (the xAPI table is split between them). */
function mergeTable(a: TableWriteSummary | undefined, b: TableWriteSummary | undefined): TableWriteSummary | undefined {
  if (!a) return b;
  if (!b) return a;
  return {
    rows: a.rows + b.rows,
    bytes: a.bytes + b.bytes,
    rawBytes: a.rawBytes + b.rawBytes,
    location: `${a.location} (${a.rows} initial enrollments) + ${b.location} (${b.rows})`,
  };
}

/**
 * Routes the event-sink tables and (unless `enrollmentsToStatements`) the initial enrollments to
 * `clickhouse`, the other xAPI chunks to `statements`. Load order stays the original's:
 * event-sink tables, dictionaries reloaded (ClickHouse's `endTable`), enrollments, statements.
 */
export function createSplitSink(parts: SplitSinkParts): Sink {
  const { clickhouse, statements, enrollmentsToStatements } = parts;
  let plan: DatasetPlan | undefined;
  let clickhouseXapiLeft = 0;
  let clickhouseXapiEnded = false;
  /** Rows each table had handed to ClickHouse, to report them when the statement part fails. */
  const clickhouseRows = new Map<TableKey, number>();

  const opened = (): DatasetPlan => {
    if (!plan) throw new Error('split sink: chunkFormat/write called before open()');
    return plan;
  };
  const route = (table: TableKey, index: number): Part => {
    if (table !== 'xapi') return 'clickhouse';
    if (!enrollmentsToStatements && index < opened().enrollmentChunks) return 'clickhouse';
    return 'statements';
  };

  /** A failure of the statement part, with what ClickHouse already holds from this run. */
  const withClickHouseCounts = (error: unknown): unknown => {
    if (!(error instanceof SinkError)) return error;
    const loaded = [...clickhouseRows].filter(([, rows]) => rows > 0);
    if (loaded.length === 0) return error;
    const list = loaded.map(
      ([table, rows]) => `${TABLES[table].table}${table === 'xapi' ? ' (initial enrollments)' : ''}=${formatInt(rows)}`,
    );
    // Every ClickHouse table was ended (flushed) before the first statement chunk: these rows are in.
    const written: Record<string, number> = { ...Object.fromEntries(loaded) };
    for (const [table, rows] of Object.entries(error.written)) written[table] = (written[table] ?? 0) + rows;
    return new SinkError(
      `${error.message}\nRows loaded into ClickHouse before the failure: ${list.join(', ')}`,
      written,
      { cause: error },
    );
  };

  return {
    description: parts.description ?? `${clickhouse.description}; ${statements.description}`,
    async preflight() {
      // The statement part's check is one HTTP request or one open(): cheap, so first.
      await statements.preflight();
      await clickhouse.preflight();
    },
    tables() {
      const tables = [...clickhouse.tables()];
      return tables.includes('xapi') ? tables : [...tables, 'xapi'];
    },
    chunkFormat(table, index): ChunkFormat {
      if (route(table, index) === 'statements') return statements.chunkFormat(table, index);
      const format = clickhouse.chunkFormat(table, index);
      if (table !== 'xapi') return format;
      // A group must not run past the last enrollment chunk into the statement part's chunks.
      return { ...format, group: Math.max(1, Math.min(format.group, opened().enrollmentChunks - index)) };
    },
    async open(datasetPlan) {
      plan = datasetPlan;
      const chPlan = clickhousePlan(datasetPlan, !enrollmentsToStatements);
      clickhouseXapiLeft = chPlan.tables.xapi.chunks;
      await clickhouse.open(chPlan);
      await statements.open(statementsPlan(datasetPlan, enrollmentsToStatements));
    },
    async write(chunk: ChunkResult) {
      if (route(chunk.table, chunk.index) === 'statements') {
        try {
          await statements.write(chunk);
        } catch (error) {
          throw withClickHouseCounts(error);
        }
        return;
      }
      await clickhouse.write(chunk);
      clickhouseRows.set(chunk.table, (clickhouseRows.get(chunk.table) ?? 0) + chunk.rows);
      if (chunk.table === 'xapi') {
        clickhouseXapiLeft -= chunk.count;
        if (clickhouseXapiLeft === 0) {
          clickhouseXapiEnded = true;
          await clickhouse.endTable?.('xapi');
        }
      }
    },
    async endTable(table) {
      if (table !== 'xapi') {
        await clickhouse.endTable?.(table);
        return;
      }
      try {
        await statements.endTable?.('xapi');
      } catch (error) {
        throw withClickHouseCounts(error);
      }
      // ClickHouse got no xAPI chunk (enrollments posted to Ralph): end its share now, after
      // the event-sink tables, never at open() where it would come before them.
      if (clickhouseXapiLeft === 0 && !clickhouseXapiEnded) await clickhouse.endTable?.('xapi');
    },
    async close(): Promise<SinkSummary> {
      // Statements first: when Ralph writes into the same ClickHouse, whatever ClickHouse does at
      // close (OPTIMIZE, counts) must see every statement.
      let fromStatements: SinkSummary;
      try {
        fromStatements = await statements.close();
      } catch (error) {
        throw withClickHouseCounts(error);
      }
      const fromClickHouse = await clickhouse.close();
      const tables: Partial<Record<TableKey, TableWriteSummary>> = { ...fromClickHouse.tables };
      const xapi = mergeTable(
        fromClickHouse.tables.xapi && fromClickHouse.tables.xapi.rows > 0 ? fromClickHouse.tables.xapi : undefined,
        fromStatements.tables.xapi,
      );
      if (xapi) tables.xapi = xapi;
      return { ...fromClickHouse, tables, notes: [...fromStatements.notes, ...fromClickHouse.notes] };
    },
    async abort(reason?: unknown) {
      await Promise.allSettled([statements.abort(reason), clickhouse.abort(reason)]);
    },
  };
}
