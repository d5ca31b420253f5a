/**
 * The oracle: what Aspects' charts must show, computed from the simulation's truth, never
 * from SQL (reference §5). Per enrollment it yields the rows of every expected table.
 */

import type { CsvValue } from '../formats/csv.ts';
import type { CourseStructure, RunPlan, SubsectionNode } from './plan.ts';
import type { EnrollmentResult, StreamEvent } from './simulate.ts';
import { formatCsvTime } from './time.ts';

export type Metric = 'pages' | 'problems' | 'videos';
const METRICS: readonly Metric[] = ['pages', 'problems', 'videos'];

const LABELS: Record<Metric, readonly [string, string, string]> = {
  pages: ['No pages viewed yet', 'At least one page viewed', 'All pages viewed'],
  problems: ['No problems attempted yet', 'At least one problem attempted', 'All problems attempted'],
  videos: ['No videos viewed yet', 'At least one video viewed', 'All videos viewed'],
};

/** The engagement status label Aspects' `fact_*_engagement` models give (done of total). */
export function statusLabel(metric: Metric, done: number, total: number): string {
  const [none, some, all] = LABELS[metric];
  return done === 0 ? none : done === total ? all : some;
}

/**
 * Expected-table columns in file order, with the ClickHouse type each loads as (explicit types
 * make a wrong value fail the load; upstream let ClickHouse infer Nullable ones).
 */
export const EXPECTED_SCHEMA = {
  expected_engagement: {
    org: 'String',
    course_key: 'String',
    actor_id: 'String',
    content_level: 'String',
    block_id: 'String',
    metric: 'String',
    done: 'UInt32',
    total: 'UInt32',
    status: 'String',
    done_truth: 'UInt32',
    status_truth: 'String',
  },
  expected_video_seconds: {
    org: 'String',
    course_key: 'String',
    actor_id: 'String',
    video_block_id: 'String',
    video_duration: 'UInt32',
    truth_seconds: 'UInt32',
    truth_distinct_seconds: 'UInt32',
    observable_seconds: 'UInt32',
    observable_distinct_seconds: 'UInt32',
    observable_max_views: 'UInt32',
  },
  expected_problem_results: {
    org: 'String',
    course_key: 'String',
    actor_id: 'String',
    subsection_block_id: 'String',
    problem_block_id: 'String',
    graded: 'UInt32',
    attempts: 'UInt32',
    first_attempt_success: 'UInt32',
    success: 'UInt32',
    raw_score: 'UInt32',
    max_score: 'UInt32',
  },
  expected_enrollments: {
    org: 'String',
    course_key: 'String',
    actor_id: 'String',
    username: 'String',
    enrollment_mode: 'String',
    enrolled_at: 'String',
    learner_status: 'String',
    last_activity_at: 'String',
    pages_viewed: 'UInt32',
    problems_attempted: 'UInt32',
    problems_solved: 'UInt32',
    videos_viewed: 'UInt32',
  },
} as const satisfies Record<string, Record<string, 'String' | 'UInt32'>>;
export type ExpectedTable = keyof typeof EXPECTED_SCHEMA;
export const EXPECTED_TABLES = Object.keys(EXPECTED_SCHEMA) as ExpectedTable[];
/** Column names per table, in file order. */
export const EXPECTED_COLUMNS: Readonly<Record<ExpectedTable, readonly string[]>> = {
  expected_engagement: Object.keys(EXPECTED_SCHEMA.expected_engagement),
  expected_video_seconds: Object.keys(EXPECTED_SCHEMA.expected_video_seconds),
  expected_problem_results: Object.keys(EXPECTED_SCHEMA.expected_problem_results),
  expected_enrollments: Object.keys(EXPECTED_SCHEMA.expected_enrollments),
};

type Segment = readonly [number, number];

/** Sum of segment lengths (rewatching counts again). */
export function totalSeconds(segments: readonly Segment[]): number {
  let sum = 0;
  for (const [a, b] of segments) sum += b - a;
  return sum;
}

/** Seconds covered at least once; second n covers playback (n−1, n]. */
export function distinctSeconds(segments: readonly Segment[]): number {
  let end = 0;
  for (const [, b] of segments) if (b > end) end = b;
  const covered = new Uint8Array(end + 1);
  let count = 0;
  for (const [a, b] of segments) {
    for (let n = a + 1; n <= b; n++) {
      if (covered[n] === 0) {
        covered[n] = 1;
        count += 1;
      }
    }
  }
  return count;
}

/** The most segments covering any one second (Aspects' `max_views`); 0 without segments. */
export function maxViews(segments: readonly Segment[]): number {
  const deltas: Array<[number, number]> = [];
  for (const [a, b] of segments) {
    if (b <= a) continue;
    deltas.push([a + 1, 1], [b + 1, -1]);
  }
  deltas.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let current = 0;
  let best = 0;
  for (const [, d] of deltas) {
    current += d;
    if (current > best) best = current;
  }
  return best;
}

/**
 * Watched segments as Aspects pairs them (`video_watch_intervals`): events ordered by
 * (time, plays last, id), each `played` paired with the next event, kept when that event's
 * position is ahead of the play's.
 */
export function observableSegments(stream: readonly StreamEvent[]): Segment[] {
  const sorted = [...stream].sort(
    (a, b) =>
      a.timeUs - b.timeUs ||
      Number(a.verb === 'played') - Number(b.verb === 'played') ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const cur = sorted[i] as StreamEvent;
    const next = sorted[i + 1] as StreamEvent;
    if (cur.verb === 'played' && next.position > cur.position) {
      segments.push([Math.trunc(cur.position), Math.trunc(next.position)]);
    }
  }
  return segments;
}

export type ExpectedRows = Record<ExpectedTable, CsvValue[][]>;

interface Counts {
  done: number;
  total: number;
  truth: number;
}

function subsectionCounts(
  ss: SubsectionNode,
  r: EnrollmentResult,
  videoDone: ReadonlyMap<string, { observable: boolean; truth: boolean }>,
): Record<Metric, Counts> {
  const out: Record<Metric, Counts> = {
    pages: { done: 0, total: 0, truth: 0 },
    problems: { done: 0, total: 0, truth: 0 },
    videos: { done: 0, total: 0, truth: 0 },
  };
  for (const unit of ss.units) {
    out.pages.total += 1;
    if (r.viewedUnits.has(unit.block.location)) out.pages.done += 1;
    for (const p of unit.problems) {
      out.problems.total += 1;
      if (r.problems.has(p.location)) out.problems.done += 1;
    }
    for (const v of unit.videos) {
      out.videos.total += 1;
      const seen = videoDone.get(v.location);
      if (seen?.observable) out.videos.done += 1;
      if (seen?.truth) out.videos.truth += 1;
    }
  }
  out.pages.truth = out.pages.done;
  out.problems.truth = out.problems.done;
  return out;
}

/** Summary of one enrollment the manifest and the enrollment table need. */
export interface EnrollmentSummary {
  readonly pagesViewed: number;
  readonly totalUnits: number;
}

/** Every expected row of one enrollment, in file order. */
export function expectedRows(
  run: RunPlan,
  structure: CourseStructure,
  r: EnrollmentResult,
): { rows: ExpectedRows; summary: EnrollmentSummary } {
  const actorId = r.actor.actorId;
  const rows: ExpectedRows = {
    expected_engagement: [],
    expected_video_seconds: [],
    expected_problem_results: [],
    expected_enrollments: [],
  };
  const videoDone = new Map<string, { observable: boolean; truth: boolean }>();
  const videoRows: CsvValue[][] = [];
  for (const [location, video] of [...r.videos].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const observable = observableSegments(video.stream);
    videoDone.set(location, { observable: observable.length > 0, truth: video.truth.length > 0 });
    videoRows.push([
      run.org,
      run.courseKey,
      actorId,
      location,
      video.block.lengthSeconds,
      totalSeconds(video.truth),
      distinctSeconds(video.truth),
      totalSeconds(observable),
      distinctSeconds(observable),
      maxViews(observable),
    ]);
  }
  rows.expected_video_seconds = videoRows;

  let totalUnits = 0;
  for (const section of structure.sections) {
    const sums: Record<Metric, Counts> = {
      pages: { done: 0, total: 0, truth: 0 },
      problems: { done: 0, total: 0, truth: 0 },
      videos: { done: 0, total: 0, truth: 0 },
    };
    for (const ss of section.subsections) {
      const counts = subsectionCounts(ss, r, videoDone);
      totalUnits += counts.pages.total;
      for (const metric of METRICS) {
        const c = counts[metric];
        sums[metric].done += c.done;
        sums[metric].total += c.total;
        sums[metric].truth += c.truth;
        if (c.total > 0)
          rows.expected_engagement.push(engagementRow(run, actorId, 'subsection', ss.block.location, metric, c));
      }
      for (const unit of ss.units) {
        for (const p of unit.problems) {
          const truth = r.problems.get(p.location);
          if (!truth) continue;
          rows.expected_problem_results.push([
            run.org,
            run.courseKey,
            actorId,
            ss.block.location,
            p.location,
            p.graded ? 1 : 0,
            truth.attempts,
            truth.firstAttemptSuccess ? 1 : 0,
            truth.success ? 1 : 0,
            truth.rawScore,
            truth.maxScore,
          ]);
        }
      }
    }
    for (const metric of METRICS) {
      const c = sums[metric];
      if (c.total > 0)
        rows.expected_engagement.push(engagementRow(run, actorId, 'section', section.block.location, metric, c));
    }
  }

  let registeredAt = Number.POSITIVE_INFINITY;
  let lastActivity = Number.NEGATIVE_INFINITY;
  for (const e of r.events) {
    if (e.verb === 'registered') registeredAt = Math.min(registeredAt, e.timeUs);
    else lastActivity = Math.max(lastActivity, e.timeUs);
  }
  let solved = 0;
  for (const p of r.problems.values()) if (p.success) solved += 1;
  let videosViewed = 0;
  for (const v of videoDone.values()) if (v.observable) videosViewed += 1;
  rows.expected_enrollments.push([
    run.org,
    run.courseKey,
    actorId,
    r.actor.username,
    r.mode,
    formatCsvTime(registeredAt),
    learnerStatus(lastActivity),
    lastActivity === Number.NEGATIVE_INFINITY ? '' : formatCsvTime(lastActivity),
    r.viewedUnits.size,
    r.problems.size,
    solved,
    videosViewed,
  ]);
  return { rows, summary: { pagesViewed: r.viewedUnits.size, totalUnits } };
}

/**
 * `registered only`: no event after registration; `active`: some activity. The label is ours
 * (upstream had no enrollment table); it pairs with Aspects' enrollment and learner charts.
 */
function learnerStatus(lastActivity: number): string {
  return lastActivity === Number.NEGATIVE_INFINITY ? 'registered only' : 'active';
}

function engagementRow(
  run: RunPlan,
  actorId: string,
  level: 'section' | 'subsection',
  blockId: string,
  metric: Metric,
  c: Counts,
): CsvValue[] {
  return [
    run.org,
    run.courseKey,
    actorId,
    level,
    blockId,
    metric,
    c.done,
    c.total,
    statusLabel(metric, c.done, c.total),
    c.truth,
    statusLabel(metric, c.truth, c.total),
  ];
}
