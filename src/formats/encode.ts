/**
 * Chunk → bytes. The same chunk renders as CSV (files, ClickHouse `FORMAT CSV`), as a JSON
 * array (Ralph), or as Vector log lines; which one a sink wants is its choice.
 */

import { type DatasetPlan, sinkChunk, xapiChunk } from '../generate/dataset.ts';
import type { CompiledTemplate } from '../generate/template.ts';
import { formatEmissionTime } from '../generate/time.ts';
import type { World } from '../generate/world.ts';
import type { GeneratedStatement } from '../generate/xapi-batches.ts';
import type { ByteWriter } from './byte-writer.ts';
import { csvRow } from './csv.ts';
import type { TableKey } from './tables.ts';

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
}

const segmentCache = new WeakMap<CompiledTemplate, SegmentBytes>();

function segmentsOf(template: CompiledTemplate): SegmentBytes {
  let segments = segmentCache.get(template);
  if (!segments) {
    segments = {
      json: template.jsonSegments.map((s) => Buffer.from(s, 'utf8')),
      csv: template.csvSegments.map((s) => Buffer.from(s, 'utf8')),
    };
    segmentCache.set(template, segments);
  }
  return segments;
}

/** Appends one statement's text (`json` or CSV-escaped) to `out`. */
export function writeStatement(out: ByteWriter, statement: GeneratedStatement, encoding: 'json' | 'csv'): void {
  const { template, values } = statement.parts;
  const segments = segmentsOf(template)[encoding];
  out.bytes(segments[0] as Buffer);
  for (let i = 0; i < values.length; i++) {
    out.text(values[i] as string);
    out.bytes(segments[i + 1] as Buffer);
  }
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const VECTOR_PREFIX = Buffer.from(' [xapi_tracking] [] ');
const JSON_SEPARATOR = Buffer.from(', ');

/** Renders chunk `index` of `table` in `encoding` (non-CSV encodings exist for xAPI only). */
export function encodeChunk(
  out: ByteWriter,
  world: World,
  plan: DatasetPlan,
  table: TableKey,
  index: number,
  encoding: ChunkEncoding,
  withIds = false,
): EncodedChunk {
  out.reset();
  if (table !== 'xapi') {
    if (encoding !== 'csv') throw new Error(`encodeChunk: ${table} can only be encoded as csv`);
    const rows = sinkChunk(world, table, index);
    for (const row of rows) out.text(csvRow(row));
    return { data: out.view(), rows: rows.length, ids: [] };
  }
  const statements = xapiChunk(world, plan, index);
  const ids = withIds ? statements.map((s) => s.eventId) : [];
  if (encoding === 'csv') {
    for (const s of statements) {
      out.text(s.eventId);
      out.byte(COMMA);
      out.text(formatEmissionTime(s.emissionTime));
      out.byte(COMMA);
      out.byte(QUOTE);
      writeStatement(out, s, 'csv');
      out.byte(QUOTE);
      out.byte(CR);
      out.byte(LF);
    }
  } else if (encoding === 'json-array') {
    out.byte(0x5b);
    statements.forEach((s, i) => {
      if (i > 0) out.bytes(JSON_SEPARATOR);
      writeStatement(out, s, 'json');
    });
    out.byte(0x5d);
  } else {
    // The minimal line Aspects' Vector regex accepts: ` [xapi_tracking] [] {json}`.
    for (const s of statements) {
      out.bytes(VECTOR_PREFIX);
      writeStatement(out, s, 'json');
      out.byte(LF);
    }
  }
  return { data: out.view(), rows: statements.length, ids };
}
