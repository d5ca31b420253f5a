/**
 * Chunk → bytes. The same chunk renders as CSV (files, ClickHouse `FORMAT CSV`), as a JSON
 * array (Ralph), or as Vector log lines; which one a sink wants is its choice.
 */

import type { ByteWriter } from '../formats/byte-writer.ts';
import { csvRow } from '../formats/csv.ts';
import type { TableKey } from '../formats/tables.ts';
import { type DatasetPlan, sinkChunk, visitXapiChunk } from './dataset.ts';
import type { CompiledTemplate } from './template.ts';
import type { World } from './world.ts';
import type { GeneratedStatement } from './xapi-batches.ts';

export type ChunkEncoding = 'csv' | 'json-array' | 'vector';

export interface EncodedChunk {
  /** A view into the writer's buffer: copy or consume it before encoding the next chunk. */
  readonly data: Buffer;
  readonly rows: number;
  /** Statement ids, in order (xAPI chunks, when asked for; empty otherwise). */
  readonly ids: readonly string[];
}

interface SegmentBytes {
  readonly json: readonly Buffer[];
  readonly csv: readonly Buffer[];
  /** Bytes of constant text in the longer encoding, to reserve room per statement. */
  readonly maxConstantBytes: number;
}

const segmentCache = new WeakMap<CompiledTemplate, SegmentBytes>();

function segmentsOf(template: CompiledTemplate): SegmentBytes {
  let segments = segmentCache.get(template);
  if (!segments) {
    const csv = template.csvSegments.map((s) => Buffer.from(s, 'latin1'));
    segments = {
      json: template.jsonSegments.map((s) => Buffer.from(s, 'latin1')),
      csv,
      maxConstantBytes: csv.reduce((n, b) => n + b.length, 0),
    };
    segmentCache.set(template, segments);
  }
  return segments;
}

/** Room for the per-line framing (id, time, quotes, prefixes) beyond template text and values. */
const LINE_OVERHEAD_BYTES = 128;

/**
 * Appends one statement's text to `out`: template segments copied as bytes, values written as
 * ASCII (the config guarantees every value is ASCII: ids, numbers, URLs built on an ASCII lms_url).
 */
export function writeStatement(out: ByteWriter, statement: GeneratedStatement, encoding: 'json' | 'csv'): void {
  const { template, values } = statement.parts;
  const segments = segmentsOf(template);
  let valueChars = 0;
  for (let i = 0; i < values.length; i++) valueChars += (values[i] as string).length;
  out.reserve(segments.maxConstantBytes + valueChars + LINE_OVERHEAD_BYTES);
  const bytes = segments[encoding];
  out.bytesUnchecked(bytes[0] as Buffer);
  for (let i = 0; i < values.length; i++) {
    out.asciiUnchecked(values[i] as string);
    out.bytesUnchecked(bytes[i + 1] as Buffer);
  }
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
/** Where the `T` sits in `2023-06-15T19:51:58+00:00`. */
const TIMESTAMP_T_OFFSET = 10;
const VECTOR_PREFIX = Buffer.from(' [xapi_tracking] [] ');

/** Writes one statement framed for each encoding (`first`: the first statement of the chunk). */
const STATEMENT_WRITERS: Record<ChunkEncoding, (out: ByteWriter, s: GeneratedStatement, first: boolean) => void> = {
  csv: (out, s) => {
    out.reserve(LINE_OVERHEAD_BYTES);
    out.asciiUnchecked(s.eventId);
    out.byteUnchecked(COMMA);
    // emission_time is the statement timestamp with a space for the `T` (`formatEmissionTime`),
    // patched in place rather than formatted a second time.
    const at = out.length;
    out.asciiUnchecked(s.timestamp);
    out.patchByte(at + TIMESTAMP_T_OFFSET, SPACE);
    out.byteUnchecked(COMMA);
    out.byteUnchecked(QUOTE);
    writeStatement(out, s, 'csv');
    out.byteUnchecked(QUOTE);
    out.byteUnchecked(CR);
    out.byteUnchecked(LF);
  },
  'json-array': (out, s, first) => {
    if (!first) {
      out.byteUnchecked(COMMA);
      out.byteUnchecked(0x20);
    }
    writeStatement(out, s, 'json');
  },
  // The minimal line Aspects' Vector regex accepts: ` [xapi_tracking] [] {json}`.
  vector: (out, s) => {
    out.reserve(LINE_OVERHEAD_BYTES);
    out.bytesUnchecked(VECTOR_PREFIX);
    writeStatement(out, s, 'json');
    out.byteUnchecked(LF);
  },
};

/**
 * Renders chunks `index … index + count − 1` of `table` one after the other (csv and vector
 * only: a JSON array cannot be concatenated).
 */
export function encodeChunks(
  out: ByteWriter,
  world: World,
  plan: DatasetPlan,
  table: TableKey,
  index: number,
  count: number,
  encoding: ChunkEncoding,
  withIds = false,
): EncodedChunk {
  if (count === 1) return encodeChunk(out, world, plan, table, index, encoding, withIds);
  if (encoding === 'json-array') throw new Error('encodeChunks: JSON-array chunks cannot be grouped');
  out.reset();
  let rows = 0;
  const ids: string[] = [];
  for (let i = index; i < index + count; i++) {
    const chunk = encodeChunk(out, world, plan, table, i, encoding, withIds, false);
    rows += chunk.rows;
    if (withIds) ids.push(...chunk.ids);
  }
  return { data: out.view(), rows, ids };
}

/** Renders chunk `index` of `table` in `encoding` (non-CSV encodings exist for xAPI only). */
export function encodeChunk(
  out: ByteWriter,
  world: World,
  plan: DatasetPlan,
  table: TableKey,
  index: number,
  encoding: ChunkEncoding,
  withIds = false,
  reset = true,
): EncodedChunk {
  if (reset) out.reset();
  if (table !== 'xapi') {
    if (encoding !== 'csv') throw new Error(`encodeChunk: ${table} can only be encoded as csv`);
    const rows = sinkChunk(world, table, index);
    // Event-sink rows may hold non-ASCII text (tag values such as "Cajón"): written as UTF-8.
    for (const row of rows) out.text(csvRow(row));
    return { data: out.view(), rows: rows.length, ids: [] };
  }
  const ids: string[] = [];
  let rows = 0;
  const writeLine = STATEMENT_WRITERS[encoding];
  out.reserve(LINE_OVERHEAD_BYTES);
  if (encoding === 'json-array') out.byteUnchecked(0x5b);
  visitXapiChunk(world, plan, index, (s) => {
    if (withIds) ids.push(s.eventId);
    writeLine(out, s, rows === 0);
    rows++;
  });
  out.reserve(LINE_OVERHEAD_BYTES);
  if (encoding === 'json-array') out.byteUnchecked(0x5d);
  return { data: out.view(), rows, ids };
}
