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

/** One encoding's constant text of a template, with the values still to write between its segments. */
interface SegmentBytes {
  /** `segments.length === slots.length + 1`. */
  readonly segments: readonly Buffer[];
  /** Indexes into the statement's values, in writing order. */
  readonly slots: readonly number[];
  /** Bytes of constant text, to reserve room per statement. */
  readonly constantBytes: number;
}

/**
 * Slots whose value is the same for every statement of a course (the LMS URL, the course URL).
 * Their value is bound into the constant text once per (template, course): two fewer value
 * writes and segment copies per statement, each a native call (#13).
 */
const BOUND_SLOTS: ReadonlySet<string> = new Set(['homePage', 'courseUrl']);
/** Bound specializations kept per process (about 2 kB each): many courses fall back to the generic text. */
const MAX_BOUND_SPECIALIZATIONS = 4096;
let boundSpecializations = 0;

interface TemplateBytes {
  readonly generic: Readonly<Record<'json' | 'csv', SegmentBytes>>;
  /** Slots of the statement id and timestamp (−1: none), which the csv line's columns repeat. */
  readonly idSlot: number;
  readonly timestampSlot: number;
  /** Indexes of the slots in `BOUND_SLOTS`, in slot order. */
  readonly bind: readonly number[];
  /** Per encoding, by course index: the segments with that course's values bound. */
  readonly bound: Readonly<Record<'json' | 'csv', (BoundSegmentBytes | undefined)[]>>;
}

interface BoundSegmentBytes extends SegmentBytes {
  /** The values bound, in `bind` order: a statement of another world's course must not use them. */
  readonly boundValues: readonly string[];
}

/** By `CompiledTemplate.id`. */
const templateBytes: (TemplateBytes | undefined)[] = [];

/** The segments of `texts` with the values at `bind` (indexes into `values`) written into them. */
function segmentBytes(texts: readonly string[], bind: readonly number[], values: readonly string[]): SegmentBytes {
  const segments: Buffer[] = [];
  const slots: number[] = [];
  let current = texts[0] as string;
  for (let i = 0; i < texts.length - 1; i++) {
    if (bind.includes(i)) {
      current += (values[i] as string) + (texts[i + 1] as string);
    } else {
      segments.push(Buffer.from(current, 'latin1'));
      slots.push(i);
      current = texts[i + 1] as string;
    }
  }
  segments.push(Buffer.from(current, 'latin1'));
  return { segments, slots, constantBytes: segments.reduce((n, b) => n + b.length, 0) };
}

function bytesOf(template: CompiledTemplate): TemplateBytes {
  let bytes = templateBytes[template.id];
  if (!bytes) {
    const bind: number[] = [];
    template.slotNames.forEach((name, i) => {
      if (BOUND_SLOTS.has(name)) bind.push(i);
    });
    bytes = {
      generic: {
        json: segmentBytes(template.jsonSegments, [], []),
        csv: segmentBytes(template.csvSegments, [], []),
      },
      bind,
      bound: { json: [], csv: [] },
      idSlot: template.slotNames.indexOf('id'),
      timestampSlot: template.slotNames.indexOf('timestamp'),
    };
    templateBytes[template.id] = bytes;
  }
  return bytes;
}

/** The template's segments for this statement: with its course's values bound when there is room. */
function segmentsFor(statement: GeneratedStatement, encoding: 'json' | 'csv'): SegmentBytes {
  const { template, values } = statement.parts;
  const bytes = bytesOf(template);
  const { bind } = bytes;
  if (bind.length === 0) return bytes.generic[encoding];
  const byCourse = bytes.bound[encoding];
  const courseIndex = statement.course.index;
  let found = byCourse[courseIndex];
  if (found !== undefined) {
    let same = true;
    for (let k = 0; k < bind.length; k++) same &&= values[bind[k] as number] === found.boundValues[k];
    if (same) return found;
  }
  if (found === undefined && boundSpecializations >= MAX_BOUND_SPECIALIZATIONS) return bytes.generic[encoding];
  if (found === undefined) boundSpecializations++;
  const texts = encoding === 'json' ? template.jsonSegments : template.csvSegments;
  found = { ...segmentBytes(texts, bind, values), boundValues: bind.map((i) => values[i] as string) };
  byCourse[courseIndex] = found;
  return found;
}

/** Room for the per-line framing (id, time, quotes, prefixes) beyond template text and values. */
const LINE_OVERHEAD_BYTES = 128;

/**
 * Appends one statement's text to `out`: template segments copied as bytes, values written as
 * ASCII (the config guarantees every value is ASCII: ids, numbers, URLs built on an ASCII lms_url).
 * `idAt` / `timestampAt`: where this line already holds the statement's id and its emission time
 * (the csv columns), copied instead of written again; −1 when it does not.
 */
export function writeStatement(
  out: ByteWriter,
  statement: GeneratedStatement,
  encoding: 'json' | 'csv',
  idAt = -1,
  timestampAt = -1,
): void {
  const { values } = statement.parts;
  const { segments, slots, constantBytes } = segmentsFor(statement, encoding);
  const { idSlot, timestampSlot } = bytesOf(statement.parts.template);
  let valueChars = 0;
  for (let i = 0; i < values.length; i++) valueChars += (values[i] as string).length;
  out.reserve(constantBytes + valueChars + LINE_OVERHEAD_BYTES);
  out.bytesUnchecked(segments[0] as Buffer);
  for (let k = 0; k < slots.length; k++) {
    const slot = slots[k] as number;
    const value = values[slot] as string;
    if (slot === idSlot && idAt >= 0 && value === statement.eventId) {
      out.repeatUnchecked(idAt, value.length);
    } else if (slot === timestampSlot && timestampAt >= 0 && value === statement.timestamp) {
      const at = out.length;
      out.repeatUnchecked(timestampAt, value.length);
      out.patchByte(at + TIMESTAMP_T_OFFSET, LETTER_T);
    } else {
      out.asciiUnchecked(value);
    }
    out.bytesUnchecked(segments[k + 1] as Buffer);
  }
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const LETTER_T = 0x54;
/** Where the `T` sits in `2023-06-15T19:51:58+00:00`. */
const TIMESTAMP_T_OFFSET = 10;
const VECTOR_PREFIX = Buffer.from(' [xapi_tracking] [] ');

/** Writes one statement framed for each encoding (`first`: the first statement of the chunk). */
const STATEMENT_WRITERS: Record<ChunkEncoding, (out: ByteWriter, s: GeneratedStatement, first: boolean) => void> = {
  csv: (out, s) => {
    out.reserve(LINE_OVERHEAD_BYTES);
    const idAt = out.length;
    out.asciiUnchecked(s.eventId);
    out.byteUnchecked(COMMA);
    // emission_time is the statement timestamp with a space for the `T` (`formatEmissionTime`),
    // patched in place rather than formatted a second time.
    const at = out.length;
    out.asciiUnchecked(s.timestamp);
    out.patchByte(at + TIMESTAMP_T_OFFSET, SPACE);
    out.byteUnchecked(COMMA);
    out.byteUnchecked(QUOTE);
    writeStatement(out, s, 'csv', idAt, at);
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
