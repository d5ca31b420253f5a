/** The final summary table: rows per table and file, bytes, duration, throughput. */

import { TABLE_KEYS, TABLES } from '../formats/tables.ts';
import { formatDuration } from '../util/clock.ts';
import { formatBytes, formatInt } from '../util/format.ts';
import type { RunResult } from './runner.ts';

/** The table `load-db` prints after a run: per table the rows written, expected and (when loaded) in ClickHouse. */
export function formatSummary(result: RunResult): string {
  // Backends that load ClickHouse add what is there now, next to what the plan expects.
  const loaded = result.summary.clickhouse;
  const rows: string[][] = [
    ['table', 'rows', 'expected', ...(loaded ? ['in ClickHouse'] : []), 'size', 'raw', 'location'],
  ];
  let totalBytes = 0;
  let totalRaw = 0;
  for (const key of TABLE_KEYS) {
    const t = result.summary.tables[key];
    if (!t) continue;
    totalBytes += t.bytes;
    totalRaw += t.rawBytes;
    rows.push([
      TABLES[key].table,
      formatInt(t.rows),
      formatInt(result.plan.tables[key].rows),
      ...(loaded ? [loaded.counts[key] === undefined ? '-' : formatInt(loaded.counts[key])] : []),
      formatBytes(t.bytes),
      formatBytes(t.rawBytes),
      t.location,
    ]);
  }
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  const lines = rows.map((r) =>
    r
      .map((cell, col) =>
        col >= 1 && col < r.length - 1 ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
  const seconds = result.durationMs / 1000;
  const rate = seconds > 0 ? result.statements / seconds : 0;
  lines.push(
    '',
    `Wrote ${formatInt(result.statements)} statements to ${result.sinkDescription}`,
    `Total: ${formatBytes(totalBytes)} (${formatBytes(totalRaw)} before compression) in ${formatDuration(result.durationMs)}` +
      ` — ${formatInt(rate)} statements/s, ${formatBytes(seconds > 0 ? totalRaw / seconds : 0)}/s raw`,
    ...result.summary.notes,
  );
  return lines.join('\n');
}
