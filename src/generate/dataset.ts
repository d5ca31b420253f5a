/**
 * The dataset as a list of chunks per table. A chunk is the unit of work a generation worker
 * does and the unit a sink writes (one gzip member, one INSERT, one POST). Chunk contents are a
 * pure function of (config, table, index), so chunks can be made in parallel and written in order.
 */

import { TABLE_KEYS, type TableKey } from '../formats/tables.ts';
import {
  courseBlockRows,
  courseOverviewRows,
  externalIdRows,
  objectTagRows,
  objectTagRowsBefore,
  type Row,
  tagRows,
  taxonomyRows,
  userProfileRows,
} from './event-sink.ts';
import type { Course, World } from './world.ts';
import {
  enrollmentChunkCount,
  type GeneratedStatement,
  type StatementVisitor,
  visitEnrollmentBatch,
  visitRandomBatch,
} from './xapi-batches.ts';

export interface TablePlan {
  readonly key: TableKey;
  readonly chunks: number;
  /** Rows the whole table will have: what a load must find in ClickHouse afterwards. */
  readonly rows: number;
}

export interface DatasetPlan {
  readonly tables: Readonly<Record<TableKey, TablePlan>>;
  /** Initial enrollment chunks come first in the xAPI table, then random batches. */
  readonly enrollmentChunks: number;
  /** E: one `registered` statement per (course, enrolled learner). */
  readonly enrollmentStatements: number;
  /** X: `num_xapi_batches × batch_size` (this shard's part of it). */
  readonly randomStatements: number;
  /** First random batch of this shard; the xAPI chunks after the enrollments map onto batches from here. */
  readonly firstRandomBatch: number;
  /** `{ index, count }` of the shard this plan covers (`{0, 1}` when the dataset is not sharded). */
  readonly shard: { readonly index: number; readonly count: number };
}

/**
 * The random batches of shard `index` of `count`: a contiguous range, so shards are disjoint,
 * cover every batch, and any shard can be made alone.
 */
export function shardBatchRange(numBatches: number, index: number, count: number): { first: number; end: number } {
  return { first: Math.floor((index * numBatches) / count), end: Math.floor(((index + 1) * numBatches) / count) };
}

/**
 * Chunk counts and expected row counts (the volume formulas, with the original's bugs fixed).
 * With `shard_count > 1` the plan covers the config's shard: its slice of the random batches,
 * plus — on shard 0 only — the event-sink tables and the initial enrollments. Pass
 * `{ wholeDataset: true }` for the plan of the whole, unsharded dataset (what loaders verify).
 */
export function planDataset(world: World, options: { wholeDataset?: boolean } = {}): DatasetPlan {
  const shard =
    options.wholeDataset === true
      ? { index: 0, count: 1 }
      : { index: world.config.shardIndex, count: world.config.shardCount };
  const full = planWhole(world);
  if (shard.count === 1) return { ...full, shard };
  const { first, end } = shardBatchRange(world.config.numXapiBatches, shard.index, shard.count);
  const batches = end - first;
  const onFirstShard = shard.index === 0;
  const empty = (key: TableKey): TablePlan => ({ key, chunks: 0, rows: 0 });
  const enrollmentChunks = onFirstShard ? full.enrollmentChunks : 0;
  const enrollmentStatements = onFirstShard ? full.enrollmentStatements : 0;
  const randomStatements = batches * world.config.batchSize;
  const tables = Object.fromEntries(
    TABLE_KEYS.map((key) => [key, onFirstShard || key === 'xapi' ? full.tables[key] : empty(key)]),
  ) as Record<TableKey, TablePlan>;
  tables.xapi = { key: 'xapi', chunks: enrollmentChunks + batches, rows: enrollmentStatements + randomStatements };
  return { tables, enrollmentChunks, enrollmentStatements, randomStatements, firstRandomBatch: first, shard };
}

function planWhole(world: World): Omit<DatasetPlan, 'shard'> {
  const { config, courses } = world;
  const C = courses.length;
  const P = config.numCoursePublishes;
  const A = config.numActors;
  const R = config.numActorProfileChanges;
  const sum = (f: (c: Course) => number) => courses.reduce((acc, c) => acc + f(c), 0);
  const enrollmentChunks = enrollmentChunkCount(world);
  const randomStatements = config.numXapiBatches * config.batchSize;
  const table = (key: TableKey, chunks: number, rows: number): TablePlan => ({ key, chunks, rows });
  return {
    tables: {
      courseOverviews: table('courseOverviews', P, C * P),
      courseBlocks: table('courseBlocks', C, sum((c) => c.blocks.length) * P),
      objectTags: table('objectTags', C, sum((c) => c.objectTags.length) * P),
      taxonomies: table('taxonomies', 1, 1),
      tags: table('tags', 1, 29),
      externalIds: table('externalIds', Math.ceil(A / config.batchSize), A),
      userProfiles: table('userProfiles', Math.ceil((A * R) / config.batchSize), A * R),
      xapi: table('xapi', enrollmentChunks + config.numXapiBatches, world.totalEnrollments + randomStatements),
    },
    enrollmentChunks,
    enrollmentStatements: world.totalEnrollments,
    randomStatements,
    firstRandomBatch: 0,
  };
}

/** Streams xAPI chunk `index` to `visit`: enrollment chunks first, then random batches. */
export function visitXapiChunk(world: World, plan: DatasetPlan, index: number, visit: StatementVisitor): void {
  if (index < plan.enrollmentChunks) visitEnrollmentBatch(world, index, visit);
  else visitRandomBatch(world, plan.firstRandomBatch + index - plan.enrollmentChunks, visit);
}

/** xAPI chunk `index` as an array. */
export function xapiChunk(world: World, plan: DatasetPlan, index: number): GeneratedStatement[] {
  const out: GeneratedStatement[] = [];
  visitXapiChunk(world, plan, index, (s) => out.push(s));
  return out;
}

/** Event-sink chunk `index` of a non-xAPI table. */
export function sinkChunk(world: World, table: Exclude<TableKey, 'xapi'>, index: number): Row[] {
  switch (table) {
    case 'courseOverviews':
      return courseOverviewRows(world, index);
    case 'courseBlocks':
      return courseBlockRows(world, index);
    case 'objectTags':
      return objectTagRows(world, index, objectTagRowsBefore(world, index) + 1);
    case 'taxonomies':
      return taxonomyRows(world);
    case 'tags':
      return tagRows(world);
    case 'externalIds':
      return externalIdRows(world, index);
    case 'userProfiles':
      return userProfileRows(world, index);
  }
}
