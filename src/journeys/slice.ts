/**
 * The unit of work: a slice of one course run's enrollments, simulated and rendered to CSV
 * text. Pure in (config, run, range): the same slice gives the same bytes on any thread, which
 * is what makes the output independent of `num_workers`.
 */

import { csvRow } from '../formats/csv.ts';
import type { JourneysConfig } from './config.ts';
import { EXPECTED_TABLES, type ExpectedTable, expectedRows } from './oracle.ts';
import {
  buildStructure,
  type CourseStructure,
  type JourneysPlan,
  planJourneys,
  type RunPlan,
  sampleLearners,
} from './plan.ts';
import { simulateEnrollment } from './simulate.ts';
import { renderStatementCsv } from './statements.ts';
import { formatBothTimes } from './time.ts';

/** Enrollments per slice: small enough to keep a slice's text to a few MB. */
export const SLICE_ENROLLMENTS = 32;

export interface SliceTask {
  readonly run: number;
  readonly from: number;
  readonly to: number;
}

/** Counts of the edge cases a slice produced (summed into manifest.json's `edge_cases`). */
export interface EdgeCounts {
  duplicate_events: number;
  same_instant_resumes: number;
  recent_learners: number;
  registration_only: number;
  mbox_enrollments: number;
  unpaired_video_rows: number;
}

export function emptyEdgeCounts(): EdgeCounts {
  return {
    duplicate_events: 0,
    same_instant_resumes: 0,
    recent_learners: 0,
    registration_only: 0,
    mbox_enrollments: 0,
    unpaired_video_rows: 0,
  };
}

export interface HeavyLearner {
  readonly actorId: string;
  readonly username: string;
  readonly pagesViewed: number;
  readonly totalUnits: number;
}

export interface SliceResult {
  readonly task: SliceTask;
  /** xapi.csv rows: in generation order, or sorted by (emission_time, event_id) with sort_events. */
  readonly xapi: Uint8Array;
  readonly xapiRows: number;
  readonly expected: Record<ExpectedTable, Uint8Array>;
  readonly expectedRows: Record<ExpectedTable, number>;
  /** The first learner with the most viewed units in this slice (null when empty). */
  readonly heavy: HeavyLearner | null;
  readonly edges: EdgeCounts;
}

/** Everything a thread needs to run slices: the plan and a small cache of structures. */
export class SliceContext {
  readonly plan: JourneysPlan;
  private readonly structures = new Map<number, CourseStructure>();
  private readonly learners = new Map<number, number[]>();

  readonly config: JourneysConfig;

  constructor(config: JourneysConfig) {
    this.config = config;
    this.plan = planJourneys(config);
  }

  structure(run: number): CourseStructure {
    return cached(this.structures, run, () => buildStructure(this.config, this.plan.runs[run] as RunPlan));
  }

  learnersOf(run: number): number[] {
    return cached(this.learners, run, () => sampleLearners(this.config, this.plan.runs[run] as RunPlan));
  }
}

/** Slices arrive run by run, so keeping the last few runs' values bounds memory at any size. */
function cached<T>(cache: Map<number, T>, run: number, make: () => T): T {
  let value = cache.get(run);
  if (value === undefined) {
    if (cache.size > 8) cache.delete(cache.keys().next().value as number);
    value = make();
    cache.set(run, value);
  }
  return value;
}

/** Sort key of an xapi.csv row: emission time text (fixed width) then event id. */
export function xapiSortKey(line: string): string {
  return line.slice(37, 63) + line.slice(0, 36);
}

export function runSlice(ctx: SliceContext, task: SliceTask): SliceResult {
  const { config } = ctx;
  const run = ctx.plan.runs[task.run] as JourneysPlan['runs'][number];
  const structure = ctx.structure(task.run);
  const learners = ctx.learnersOf(task.run);
  const courseUrl = `${config.lmsUrl}/course/${run.courseKey}`;
  const lines: string[] = [];
  const expected = Object.fromEntries(EXPECTED_TABLES.map((t) => [t, ''])) as Record<ExpectedTable, string>;
  const counts = Object.fromEntries(EXPECTED_TABLES.map((t) => [t, 0])) as Record<ExpectedTable, number>;
  const edges = emptyEdgeCounts();
  let heavy: HeavyLearner | null = null;
  for (let k = task.from; k < task.to; k++) {
    const actor = ctx.plan.actors[learners[k] as number] as JourneysPlan['actors'][number];
    const result = simulateEnrollment(config, run, structure, actor, courseUrl);
    for (const event of result.events) {
      const objectUrl = event.verb === 'registered' ? event.object : `${config.lmsUrl}/xblock/${event.object}`;
      const times = formatBothTimes(event.timeUs);
      const json = renderStatementCsv(
        event.verb,
        actor,
        { id: event.id, timestamp: times.statement, homePage: config.lmsUrl },
        { ...event.values, courseUrl, objectId: objectUrl },
      );
      const line = `${event.id},${times.csv},"${json}"\r\n`;
      lines.push(line);
      if (event.duplicated) {
        lines.push(line);
        edges.duplicate_events += 1;
      }
    }
    const { rows, summary } = expectedRows(run, structure, result);
    for (const table of EXPECTED_TABLES) {
      for (const row of rows[table]) expected[table] += csvRow(row);
      counts[table] += rows[table].length;
    }
    for (const row of rows.expected_video_seconds) if (row[7] === 0) edges.unpaired_video_rows += 1;
    edges.same_instant_resumes += result.sameInstantResumes;
    if (result.recent) edges.recent_learners += 1;
    // Started learners whose first step falls after now also show nothing but the registration.
    if (result.events.every((e) => e.verb === 'registered')) edges.registration_only += 1;
    if (actor.mbox) edges.mbox_enrollments += 1;
    // Only a learner who viewed something qualifies (upstream picked one at 0, quirk 12).
    if (summary.totalUnits > 0 && summary.pagesViewed > (heavy?.pagesViewed ?? 0)) {
      heavy = {
        actorId: actor.actorId,
        username: actor.username,
        pagesViewed: summary.pagesViewed,
        totalUnits: summary.totalUnits,
      };
    }
  }
  if (config.sortEvents) {
    const keyed = lines.map((line) => [xapiSortKey(line), line] as const);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (let i = 0; i < keyed.length; i++) lines[i] = (keyed[i] as readonly [string, string])[1];
  }
  // Bytes, not strings: a worker transfers them without a copy, and the main thread's heap never
  // holds the slice (ASCII text, so latin1 is exact and fastest).
  const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
  return {
    task,
    xapi: bytes(lines.join('')),
    xapiRows: lines.length,
    expected: Object.fromEntries(EXPECTED_TABLES.map((t) => [t, bytes(expected[t])])) as Record<
      ExpectedTable,
      Uint8Array
    >,
    expectedRows: counts,
    heavy,
    edges,
  };
}
