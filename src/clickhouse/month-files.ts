/**
 * Chronological xAPI loading for the embedded engine without a staging table: each generated
 * CSV line is appended to a temporary file of its emission month, and the months are then loaded
 * in order, each range sorted by emission time as ClickHouse reads it
 * (`INSERT … SELECT FROM file('xapi-{202001,202002}.csv') ORDER BY emission_time`). Every line
 * is parsed by ClickHouse exactly once, and sorting needs one range in memory, not the dataset.
 *
 * The month comes from fixed byte offsets: a row is `<event_id: 36-char UUID>,<YYYY-MM-DD …>,"…"`
 * (src/generate/encode.ts), and a row that does not look like that is an error, never a guess.
 */

import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes of pending lines (all months together) that trigger a write to the month files. */
const PENDING_BYTES = 32 * 1024 * 1024;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const DASH = 0x2d;
/** Offset of `YYYY-MM` in a row: after the 36-character event id and its comma. */
const MONTH_OFFSET = 37;

interface Month {
  /** `YYYYMM`. */
  readonly key: number;
  readonly path: string;
  handle: FileHandle | undefined;
  pending: Uint8Array[];
  rows: number;
  bytes: number;
}

/** Consecutive months loaded by one INSERT. */
export interface MonthRange {
  /** `YYYYMM` of the first and last month (inclusive). */
  readonly first: number;
  readonly last: number;
  readonly rows: number;
  readonly bytes: number;
  /** `file()` path matching exactly the range's files (a `{…,…}` alternation). */
  readonly path: string;
}

export interface MonthFiles {
  /** Splits a chunk of CSV rows by month (copies nothing until written). */
  add(data: Uint8Array): Promise<void>;
  /** Writes what is pending and closes the files. */
  finish(): Promise<void>;
  /** Consecutive months packed into ranges of about `targetBytes` (a month is never split). */
  ranges(targetBytes: number): readonly MonthRange[];
  /** Rows routed so far. */
  readonly rows: number;
  /** Closes every file (the caller removes the directory). Never throws. */
  abort(): Promise<void>;
}

/** Month files in `dir`, named `xapi-YYYYMM.csv`. */
export function createMonthFiles(dir: string): MonthFiles {
  const months = new Map<number, Month>();
  let pendingBytes = 0;
  let rows = 0;

  const monthOf = (data: Uint8Array, start: number): number => {
    const p = start + MONTH_OFFSET;
    if (data[start + 36] !== COMMA || data[p + 4] !== DASH) {
      const line = Buffer.from(data.subarray(start, Math.min(start + 60, data.length))).toString('latin1');
      throw new Error(`month files: unexpected xAPI CSV row (expected "<uuid>,YYYY-MM-…"): ${JSON.stringify(line)}`);
    }
    let key = 0;
    for (const i of [0, 1, 2, 3, 5, 6]) key = key * 10 + ((data[p + i] as number) - 0x30);
    return key;
  };

  const writePending = async (): Promise<void> => {
    for (const month of months.values()) {
      if (month.pending.length === 0) continue;
      month.handle ??= await open(month.path, 'a');
      const parts = month.pending;
      month.pending = [];
      await month.handle.writev(parts);
    }
    pendingBytes = 0;
  };

  return {
    get rows() {
      return rows;
    },
    async add(data) {
      let start = 0;
      while (start < data.length) {
        const newline = data.indexOf(NEWLINE, start);
        const end = newline === -1 ? data.length : newline + 1;
        const key = monthOf(data, start);
        let month = months.get(key);
        if (!month) {
          month = { key, path: join(dir, `xapi-${key}.csv`), handle: undefined, pending: [], rows: 0, bytes: 0 };
          months.set(key, month);
        }
        month.pending.push(data.subarray(start, end));
        month.rows++;
        month.bytes += end - start;
        pendingBytes += end - start;
        rows++;
        start = end;
      }
      if (pendingBytes >= PENDING_BYTES) await writePending();
    },
    async finish() {
      await writePending();
      for (const month of months.values()) {
        await month.handle?.close();
        month.handle = undefined;
      }
    },
    ranges(targetBytes) {
      const ordered = [...months.values()].sort((a, b) => a.key - b.key);
      const out: MonthRange[] = [];
      let group: Month[] = [];
      let bytes = 0;
      const close = () => {
        if (group.length === 0) return;
        const keys = group.map((m) => m.key);
        out.push({
          first: keys[0] as number,
          last: keys.at(-1) as number,
          rows: group.reduce((n, m) => n + m.rows, 0),
          bytes,
          path: keys.length === 1 ? join(dir, `xapi-${keys[0]}.csv`) : join(dir, `xapi-{${keys.join(',')}}.csv`),
        });
        group = [];
        bytes = 0;
      };
      for (const month of ordered) {
        if (group.length > 0 && bytes + month.bytes > targetBytes) close();
        group.push(month);
        bytes += month.bytes;
      }
      close();
      return out;
    },
    async abort() {
      for (const month of months.values()) {
        await month.handle?.close().catch(() => {});
        month.handle = undefined;
        month.pending = [];
      }
    },
  };
}

/** `YYYYMM` → `YYYY-MM`. */
export function formatMonth(key: number): string {
  return `${Math.floor(key / 100)}-${String(key % 100).padStart(2, '0')}`;
}
