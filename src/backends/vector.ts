/**
 * `vector` backend: xAPI statements written one per line in the form Aspects' Vector config
 * parses, ` [xapi_tracking] [] {statement JSON}` (its regex:
 * `^.* \[xapi_tracking\] [^{}]* (?P<tracking_message>\{.*\})$`), to stdout (`vector_output: -`)
 * or to a file. The event-sink tables and the initial enrollments go straight to ClickHouse, as
 * the original 3.x did.
 *
 * Only statement lines ever reach the output stream: progress, logs and the final summary go to
 * stderr when the output is stdout (see cli.ts).
 */

import { once } from 'node:events';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Config } from '../config/types.ts';
import { describeError, SinkError } from '../errors.ts';
import type { TableKey } from '../formats/tables.ts';
import { formatInt } from '../util/format.ts';
import type { ChunkResult } from './chunk.ts';
import type { ChunkFormat, Sink, SinkSummary } from './sink.ts';
import { createSplitSink } from './split.ts';

/** Statements per write (several batches grouped): fewer, larger writes to the stream. */
const STATEMENTS_PER_WRITE = 4096;

/** `vector_output` value that means the process's standard output. */
export const VECTOR_STDOUT = '-';

export interface VectorSinkOptions {
  /** Takes the event-sink tables and the initial enrollments. */
  readonly clickhouse: Sink;
  /** Where `vector_output: -` writes. @default process.stdout */
  readonly stdout?: NodeJS.WritableStream;
}

/**
 * The `vector` backend: ClickHouse part + Vector line part.
 *
 * @example
 * const sink = createVectorSink(config, { clickhouse: createClickHouseSink(config), stdout: process.stdout });
 */
export function createVectorSink(config: Config, options: VectorSinkOptions): Sink {
  const lines = createVectorStatementSink(config, options);
  return createSplitSink({
    clickhouse: options.clickhouse,
    statements: lines,
    enrollmentsToStatements: false,
    description: `${lines.description} (xAPI statements) and ${options.clickhouse.description} (event-sink tables, initial enrollments)`,
  });
}

/** Where the lines go: a stream we do not own (stdout) or a file we open and close. */
interface LineOutput {
  readonly location: string;
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

function streamOutput(stream: NodeJS.WritableStream): LineOutput {
  // A reader that goes away (`… | head`) makes the stream emit EPIPE asynchronously; without a
  // listener that would crash the process instead of failing the run with counts.
  let broken: unknown;
  const onError = (error: unknown): void => {
    broken ??= error;
  };
  stream.on('error', onError);
  const check = (): void => {
    if (broken !== undefined) throw broken;
  };
  return {
    location: 'stdout',
    async write(data) {
      check();
      if (!stream.write(data)) {
        const done = new AbortController();
        try {
          await Promise.race([
            once(stream, 'drain', { signal: done.signal }),
            once(stream, 'error', { signal: done.signal }),
          ]);
        } finally {
          done.abort(); // removes the listener that did not fire
        }
      }
      check();
    },
    async close() {
      stream.off('error', onError);
      check();
    },
  };
}

async function fileOutput(path: string): Promise<LineOutput> {
  await mkdir(dirname(path), { recursive: true });
  // Append, like a log: Vector tails this file, and truncating a file under a tailer makes it
  // lose or re-read lines. Delete the file for a fresh one.
  const handle: FileHandle = await open(path, 'a');
  return {
    location: path,
    async write(data) {
      let offset = 0;
      while (offset < data.byteLength) {
        const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset);
        offset += bytesWritten;
      }
    },
    close: () => handle.close(),
  };
}

/** Only the Vector part: every xAPI chunk it is given is appended to the output as lines. */
export function createVectorStatementSink(
  config: Config,
  options: { readonly stdout?: NodeJS.WritableStream } = {},
): Sink {
  const target = config.vectorOutput;
  const toStdout = target === VECTOR_STDOUT;
  const path = toStdout ? '' : resolve(target);
  const where = toStdout ? 'stdout' : path;
  let output: LineOutput | undefined;
  let rows = 0;
  let bytes = 0;
  const format: ChunkFormat = {
    encoding: 'vector',
    gzipLevel: null,
    withIds: false,
    group: Math.max(1, Math.floor(STATEMENTS_PER_WRITE / config.batchSize)),
  };

  const fail = (action: string, error: unknown): SinkError =>
    new SinkError(
      `vector output ${where}: ${action} failed: ${describeError(error)}; ${formatInt(rows)} statement line(s) written before`,
      { xapi: rows },
      { cause: error },
    );

  return {
    description: `Vector log lines on ${where}`,
    async preflight() {
      if (toStdout) return;
      try {
        await mkdir(dirname(path), { recursive: true });
        await (await open(path, 'a')).close();
      } catch (error) {
        throw fail('opening the file', error);
      }
    },
    tables: (): readonly TableKey[] => ['xapi'],
    chunkFormat: () => format,
    async open() {
      try {
        output = toStdout ? streamOutput(options.stdout ?? process.stdout) : await fileOutput(path);
      } catch (error) {
        throw fail('opening the file', error);
      }
    },
    async write(chunk: ChunkResult) {
      if (!output) throw new Error('vector sink: write() before open()');
      try {
        await output.write(chunk.data);
      } catch (error) {
        throw fail('writing', error);
      }
      rows += chunk.rows;
      bytes += chunk.data.byteLength;
    },
    async close(): Promise<SinkSummary> {
      try {
        await output?.close();
      } catch (error) {
        throw fail('closing', error);
      } finally {
        output = undefined;
      }
      return {
        tables: { xapi: { rows, bytes, rawBytes: bytes, location: where } },
        notes: [`Vector: ${formatInt(rows)} statement lines written to ${where} (" [xapi_tracking] [] {json}")`],
      };
    },
    async abort() {
      const current = output;
      output = undefined;
      await current?.close().catch(() => {});
    },
  };
}
