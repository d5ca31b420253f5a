/**
 * `xapi-db-load journeys`: simulates every enrollment and writes the upstream file set
 * (reference §4) plus our extra expected tables and `manifest.json`.
 *
 * Memory stays bounded at any size: slices stream through gzip in order, at most a few are in
 * flight, and `sort_events` is an external merge sort (sorted runs in temporary gzip files,
 * then a k-way merge), never the whole dataset in memory (upstream's quirk 11).
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';
import { describeError, XapiDbLoadError } from '../errors.ts';
import { csvRow } from '../formats/csv.ts';
import { hashedUuid4 } from '../generate/rng.ts';
import type { JourneysConfig } from './config.ts';
import { EXPECTED_COLUMNS, EXPECTED_TABLES } from './oracle.ts';
import { buildStructure, courseDumpId, JSTREAM, planJourneys } from './plan.ts';
import { startSliceRunner } from './pool.ts';
import {
  type EdgeCounts,
  emptyEdgeCounts,
  type HeavyLearner,
  SLICE_ENROLLMENTS,
  type SliceResult,
  type SliceTask,
  xapiSortKey,
} from './slice.ts';
import { formatCsvTime, US_PER_DAY } from './time.ts';

/** Output file names (upstream's seven, then ours). */
export const JOURNEYS_FILES = {
  xapi: 'xapi.csv.gz',
  courses: 'courses.csv.gz',
  blocks: 'blocks.csv.gz',
  external_ids: 'external_ids.csv.gz',
  user_profiles: 'user_profiles.csv.gz',
  expected_engagement: 'expected_engagement.csv.gz',
  expected_video_seconds: 'expected_video_seconds.csv.gz',
  expected_problem_results: 'expected_problem_results.csv.gz',
  expected_enrollments: 'expected_enrollments.csv.gz',
} as const;
export type JourneysFile = keyof typeof JOURNEYS_FILES;

/** The level the csv backend uses by default: compression is the main thread's work here. */
const GZIP_LEVEL = 3;
/** Rows per sorted run of the external sort. */
const SORT_RUN_ROWS = 20_000;
/** Runs merged at once; more are merged in rounds (keeps open files well under ulimits). */
const MERGE_FAN_IN = 64;

/** A gzip CSV file written with backpressure. */
class GzipFile {
  private readonly gzip: Gzip;
  private readonly file: WriteStream;
  rows = 0;

  constructor(path: string, level = GZIP_LEVEL) {
    this.gzip = createGzip({ level });
    this.file = createWriteStream(path);
    this.gzip.pipe(this.file);
  }

  async write(data: string | Uint8Array, rows: number): Promise<void> {
    this.rows += rows;
    if (data.length > 0 && !this.gzip.write(data)) await once(this.gzip, 'drain');
  }

  async close(): Promise<void> {
    this.gzip.end();
    await finished(this.file);
  }
}

/** A sorted run file read line by line. */
class RunReader {
  private readonly lines: AsyncIterator<string>;
  head: string | null = null;
  key = '';

  readonly path: string;

  constructor(path: string) {
    this.path = path;
    const rl = createInterface({
      input: createReadStream(path).pipe(createGunzip()),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    this.lines = rl[Symbol.asyncIterator]();
  }

  async advance(): Promise<void> {
    const next = await this.lines.next();
    this.head = next.done ? null : `${next.value}\r\n`;
    this.key = this.head === null ? '' : xapiSortKey(this.head);
  }
}

/** Merges sorted run files into `write`, smallest (emission_time, event_id) first. */
async function mergeRuns(paths: readonly string[], write: (line: string) => Promise<void>): Promise<void> {
  const heap: RunReader[] = [];
  const less = (a: RunReader, b: RunReader) => a.key < b.key || (a.key === b.key && a.path < b.path);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l] as RunReader, heap[m] as RunReader)) m = l;
      if (r < heap.length && less(heap[r] as RunReader, heap[m] as RunReader)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] as RunReader, heap[i] as RunReader];
      i = m;
    }
  };
  for (const path of paths) {
    const reader = new RunReader(path);
    await reader.advance();
    if (reader.head !== null) heap.push(reader);
  }
  for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i--) down(i);
  while (heap.length > 0) {
    const top = heap[0] as RunReader;
    await write(top.head as string);
    await top.advance();
    if (top.head === null) {
      heap[0] = heap[heap.length - 1] as RunReader;
      heap.pop();
    }
    if (heap.length > 0) down(0);
  }
}

/** The external sort of xapi rows: collects rows into sorted run files, then merges. */
class ExternalSort {
  private pending: string[] = [];
  private readonly runs: string[] = [];
  private counter = 0;

  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async add(data: Uint8Array): Promise<void> {
    if (data.length === 0) return;
    const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
    for (const line of text.split(/(?<=\r\n)/)) this.pending.push(line);
    if (this.pending.length >= SORT_RUN_ROWS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const keyed = this.pending.map((line) => [xapiSortKey(line), line] as const);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const path = join(this.dir, `run-${this.counter++}.csv.gz`);
    const out = new GzipFile(path, 1);
    for (let i = 0; i < keyed.length; i += 1000) {
      await out.write(
        keyed
          .slice(i, i + 1000)
          .map((k) => k[1])
          .join(''),
        0,
      );
    }
    await out.close();
    this.runs.push(path);
    this.pending = [];
  }

  async finish(target: GzipFile): Promise<void> {
    await this.flush();
    let runs = this.runs;
    while (runs.length > MERGE_FAN_IN) {
      const group = runs.slice(0, MERGE_FAN_IN);
      const path = join(this.dir, `run-${this.counter++}.csv.gz`);
      const out = new GzipFile(path, 1);
      await mergeBuffered(group, out, 0);
      await out.close();
      await Promise.all(group.map((p) => rm(p)));
      runs = [...runs.slice(MERGE_FAN_IN), path];
    }
    await mergeBuffered(runs, target, 1);
  }
}

async function mergeBuffered(paths: readonly string[], out: GzipFile, rowsPerLine: number): Promise<void> {
  let buffer = '';
  let rows = 0;
  await mergeRuns(paths, async (line) => {
    buffer += line;
    rows += 1;
    if (buffer.length >= 1 << 20) {
      await out.write(buffer, rows * rowsPerLine);
      buffer = '';
      rows = 0;
    }
  });
  await out.write(buffer, rows * rowsPerLine);
}

export interface JourneysSummary {
  readonly outputDir: string;
  readonly numXapiEvents: number;
  readonly numEnrollments: number;
  readonly numCourseRuns: number;
  readonly elapsedMs: number;
  readonly rows: Readonly<Record<JourneysFile, number>>;
  readonly manifest: Readonly<Record<string, unknown>>;
}

export interface GenerateJourneysOptions {
  /** Receives progress lines. */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * Generates a journeys dataset into `config.outputDir`.
 *
 * @example
 * const summary = await generateJourneys(resolveJourneysConfig(doc, { overrides: { outputDir: 'out' } }));
 */
export async function generateJourneys(
  config: JourneysConfig,
  options: GenerateJourneysOptions = {},
): Promise<JourneysSummary> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const dir = config.outputDir;
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw new XapiDbLoadError(`journeys: cannot create output_dir ${dir}: ${describeError(error)}`, { cause: error });
  });
  const plan = planJourneys(config);
  log(`${plan.actors.length} actors, ${plan.runs.length} course runs`);
  const files = Object.fromEntries(
    (Object.keys(JOURNEYS_FILES) as JourneysFile[]).map((f) => [f, new GzipFile(join(dir, JOURNEYS_FILES[f]))]),
  ) as Record<JourneysFile, GzipFile>;
  const sortDir = join(dir, '.journeys-sort');
  let runner: Awaited<ReturnType<typeof startSliceRunner>> | undefined;
  try {
    // Event-sink identity tables: dumps 400 days back, before any course window.
    const dumpBase = config.nowUs - 400 * US_PER_DAY;
    let text = '';
    for (const actor of plan.actors) {
      text += csvRow([
        actor.externalId,
        'xapi',
        actor.username,
        actor.userId,
        hashedUuid4([config.seed, JSTREAM.externalId, actor.index]),
        formatCsvTime(dumpBase),
      ]);
    }
    await files.external_ids.write(text, plan.actors.length);
    for (let c = 0; c < config.numActorProfileChanges; c++) {
      text = '';
      const when = formatCsvTime(dumpBase + c * US_PER_DAY);
      for (const a of plan.actors) {
        const dumpId = hashedUuid4([config.seed, JSTREAM.profile, c, a.index]);
        text += csvRow([
          a.userId,
          a.userId,
          a.name,
          a.username,
          a.email,
          '{}',
          '',
          '',
          '',
          1990,
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          dumpId,
          when,
        ]);
      }
      await files.user_profiles.write(text, plan.actors.length);
    }

    let deletedUnits = 0;
    for (const run of plan.runs) {
      const structure = buildStructure(config, run);
      let courses = '';
      let blocks = '';
      let blockRows = 0;
      for (let p = 0; p < config.coursePublishes; p++) {
        const dumpUs = run.startUs - (config.coursePublishes - p) * US_PER_DAY;
        const dumpTime = formatCsvTime(dumpUs);
        const dumpId = courseDumpId(config, run, p);
        const start = formatCsvTime(run.startUs);
        const end = formatCsvTime(run.endUs);
        courses += csvRow([
          run.org,
          run.courseKey,
          run.displayName,
          start,
          end,
          start,
          end,
          false,
          '{}',
          start,
          dumpTime,
          dumpId,
          dumpTime,
        ]);
        const isLast = p === config.coursePublishes - 1;
        const list = structure.deletedUnit && !isLast ? [...structure.blocks, structure.deletedUnit] : structure.blocks;
        for (const b of list) {
          const data = `{"block_type": "${b.type}", "section": ${b.section}, "subsection": ${b.subsection}, "unit": ${b.unit}, "graded": ${b.graded ? 'true' : 'false'}}`;
          blocks += csvRow([
            run.org,
            run.courseKey,
            b.location,
            b.displayName,
            data,
            b.order,
            dumpTime,
            dumpId,
            dumpTime,
          ]);
        }
        blockRows += list.length;
      }
      // Counted only when some publish actually carries it (upstream counted it regardless, quirk 9).
      if (structure.deletedUnit && config.coursePublishes > 1) deletedUnits += 1;
      await files.courses.write(courses, config.coursePublishes);
      await files.blocks.write(blocks, blockRows);
    }

    for (const table of EXPECTED_TABLES) await files[table].write(csvRow([...EXPECTED_COLUMNS[table]]), 0);

    const tasks: SliceTask[] = [];
    const runStarts: number[] = [];
    for (const run of plan.runs) {
      runStarts.push(tasks.length);
      for (let from = 0; from < run.learnerCount; from += SLICE_ENROLLMENTS) {
        tasks.push({ run: run.index, from, to: Math.min(run.learnerCount, from + SLICE_ENROLLMENTS) });
      }
    }
    runner = await startSliceRunner(config, Math.max(1, Math.min(config.numWorkers, tasks.length)));
    const sorter = config.sortEvents ? new ExternalSort(sortDir) : null;
    if (sorter) {
      await rm(sortDir, { recursive: true, force: true });
      await mkdir(sortDir, { recursive: true });
    }
    const heavy = new Map<number, HeavyLearner>();
    const edges = emptyEdgeCounts();
    let events = 0;
    let enrollments = 0;
    const window = Math.max(2, config.numWorkers * 2);
    const inFlight: Promise<SliceResult>[] = [];
    let submitted = 0;
    let lastLoggedRun = -1;
    const runnerRef = runner;
    const submit = () => {
      while (submitted < tasks.length && inFlight.length < window) {
        inFlight.push(runnerRef.run(tasks[submitted++] as SliceTask));
      }
    };
    submit();
    while (inFlight.length > 0) {
      options.signal?.throwIfAborted();
      const result = await (inFlight.shift() as Promise<SliceResult>);
      submit();
      const { task } = result;
      if (task.from === 0 && task.run % 50 === 0 && task.run !== lastLoggedRun) {
        lastLoggedRun = task.run;
        log(`course ${task.run + 1}/${plan.runs.length}: ${events} events so far`);
      }
      if (sorter) await sorter.add(result.xapi);
      else await files.xapi.write(result.xapi, result.xapiRows);
      events += result.xapiRows;
      enrollments += task.to - task.from;
      for (const table of EXPECTED_TABLES) await files[table].write(result.expected[table], result.expectedRows[table]);
      for (const key of Object.keys(edges) as (keyof EdgeCounts)[]) edges[key] += result.edges[key];
      const best = heavy.get(task.run);
      if (result.heavy && (!best || result.heavy.pagesViewed > best.pagesViewed)) heavy.set(task.run, result.heavy);
    }
    if (sorter) await sorter.finish(files.xapi);
    for (const file of Object.values(files)) await file.close();
    await rm(sortDir, { recursive: true, force: true });

    const rows = Object.fromEntries((Object.keys(files) as JourneysFile[]).map((f) => [f, files[f].rows])) as Record<
      JourneysFile,
      number
    >;
    const manifest = {
      num_enrollments: enrollments,
      num_xapi_events: events,
      heavy_learners: plan.runs.flatMap((run) => {
        const h = heavy.get(run.index);
        return h
          ? [
              {
                course_key: run.courseKey,
                actor_id: h.actorId,
                username: h.username,
                pages_viewed_fraction: Math.round((h.pagesViewed / h.totalUnits) * 1000) / 1000,
              },
            ]
          : [];
      }),
      seed: config.seed,
      now: formatCsvTime(config.nowUs),
      lms_url: config.lmsUrl,
      num_actors: plan.actors.length,
      num_course_runs: plan.runs.length,
      mbox_actors: plan.actors.filter((a) => a.mbox).length,
      courses_with_deleted_unit: deletedUnits,
      config: config.echo,
      edge_cases: edges,
      rows,
      files: JOURNEYS_FILES,
    };
    await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return {
      outputDir: dir,
      numXapiEvents: events,
      numEnrollments: enrollments,
      numCourseRuns: plan.runs.length,
      elapsedMs: performance.now() - started,
      rows,
      manifest,
    };
  } catch (error) {
    // Close what is open so no handle outlives the failure; log cleanup failures without
    // hiding the original error.
    const cleanup = await Promise.allSettled([
      ...Object.values(files).map((f) => f.close()),
      rm(sortDir, { recursive: true, force: true }),
    ]);
    for (const outcome of cleanup) {
      if (outcome.status === 'rejected') log(`cleanup after a failure also failed: ${describeError(outcome.reason)}`);
    }
    if (error instanceof XapiDbLoadError) throw error;
    throw new XapiDbLoadError(`journeys: writing ${dir} failed: ${describeError(error)}`, { cause: error });
  } finally {
    await runner?.close();
  }
}
