/**
 * `clickhouse` backend: the dataset straight into ClickHouse with the Aspects schema, on any
 * target (`embedded` chdb, an existing server, a container).
 *
 * The backend only decides how the bytes are made: CSV chunks without ids, xAPI in groups of
 * about 4,096 statements. Every insert, the order, the guard, the ledger and the verification
 * belong to the load stage ({@link configureChunkLoad}, `src/load/stream/`).
 *
 * @see {@link VerificationError}
 */

import type { Config } from '../config/types.ts';
import { TABLE_KEYS, type TableKey } from '../formats/tables.ts';
import { type ChunkLoadOptions, configureChunkLoad } from '../load/stream/chunks.ts';
import { phasedSink } from './phased.ts';
import type { ChunkFormat, Sink, TableWriteSummary } from './sink.ts';

export { type InsertPath, isConnectionError } from '../load/stream/insert-path.ts';
export { shouldInitSchema } from '../load/stream/session.ts';

export type ClickHouseSinkOptions = ChunkLoadOptions;

/** xAPI statements per chunk handed over by the workers (as the csv backend's gzip members). */
const STATEMENTS_PER_GROUP = 4096;

/**
 * The `clickhouse` backend.
 *
 * @example
 * const config = await loadConfig('configs/default_config.yaml');
 * const result = await runLoadDb(config, { sink: createClickHouseSink(config, { log: console.error }) });
 */
export function createClickHouseSink(config: Config, options: ClickHouseSinkOptions = {}): Sink {
  const load = configureChunkLoad(config, options);
  const xapiGroup = Math.max(1, Math.floor(STATEMENTS_PER_GROUP / config.batchSize));
  return phasedSink({
    description: load.description,
    tables: () => TABLE_KEYS,
    chunkFormat: (table: TableKey): ChunkFormat => ({
      encoding: 'csv',
      gzipLevel: null,
      withIds: false,
      group: table === 'xapi' ? xapiGroup : 1,
    }),
    async start() {
      const started = await load.start();
      return {
        abort: (reason) => started.abort(reason),
        async open(plan) {
          const open = await started.open(plan);
          return {
            write: (chunk) => open.write(chunk),
            endTable: (table) => open.endTable(table),
            abort: (reason) => open.abort(reason),
            async close() {
              const result = await open.close();
              const tables: Partial<Record<TableKey, TableWriteSummary>> = {};
              for (const key of TABLE_KEYS) {
                const { rows, bytes, location } = result.sent[key];
                tables[key] = { rows, bytes, rawBytes: bytes, location };
              }
              return {
                tables,
                notes: result.notes,
                clickhouse: { counts: result.counts, before: result.before, headlines: result.headlines },
              };
            },
          };
        },
      };
    },
  });
}
