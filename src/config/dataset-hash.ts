/**
 * The dataset hash: a name for "the data this config generates", used as the cache key of saved
 * datasets and reported next to row counts.
 *
 * Only keys that change the generated rows go in. Where the rows are sent (backend, destinations,
 * credentials, ClickHouse names), how fast (num_workers) and how they are compressed
 * (csv_gzip_level) do not: generation is deterministic per (seed, batch), independent of worker
 * count, so one cached dataset serves every backend and machine. Anything that changes the bytes
 * produced for the same config — a new column, a fixed quirk, a different event mix — must bump
 * `DATA_FORMAT_VERSION` instead, so old caches stop matching.
 */

import { createHash } from 'node:crypto';
import type { Config } from './types.ts';

/**
 * Version of the generated data's format; part of every dataset hash. Bump it whenever the same
 * config would produce different rows.
 */
export const DATA_FORMAT_VERSION = 1;

/** A dataset hash. */
export interface DatasetHash {
  /** sha256, 64 lowercase hex digits. */
  readonly hex: string;
  /** The first 16 hex digits: short enough for file names and cache keys, still collision-safe in practice. */
  readonly short: string;
}

/**
 * The canonical text that is hashed: a JSON array in a fixed order, so neither YAML key order nor
 * the order of fields inside a makeup matters. Course sizes stay in `num_course_sizes` order
 * because that order decides which courses are created first. Sizes with a count of 0 are kept:
 * a spurious cache miss is cheap, a wrong cache hit is not.
 */
export function datasetHashInput(config: Config): string {
  const canonical = [
    ['data_format_version', DATA_FORMAT_VERSION],
    ['seed', config.seed],
    ['start_date', config.startDate],
    ['end_date', config.endDate],
    ['course_length_days', config.courseLengthDays],
    ['num_organizations', config.numOrganizations],
    ['num_actors', config.numActors],
    ['num_actor_profile_changes', config.numActorProfileChanges],
    ['num_course_publishes', config.numCoursePublishes],
    ['num_xapi_batches', config.numXapiBatches],
    ['batch_size', config.batchSize],
    ['lms_url', config.lmsUrl],
    // Only when set, so every dataset without `now` keeps the hash it always had. `today` is
    // resolved by then, so a cached dataset is reused only on the day it was made for.
    ...(config.now === null ? [] : [['now', config.now]]),
    [
      'course_sizes',
      config.courseSizes.map(({ name, count, makeup }) => [
        name,
        count,
        [
          makeup.actors,
          makeup.problems,
          makeup.videos,
          makeup.chapters,
          makeup.sequences,
          makeup.verticals,
          makeup.forumPosts,
        ],
      ]),
    ],
  ];
  return JSON.stringify(canonical);
}

/**
 * Hashes the generation-relevant part of a config.
 *
 * @example
 * const { short } = datasetHash(config); // e.g. "3f9a0c1d2b4e5f60"
 */
export function datasetHash(config: Config): DatasetHash {
  const hex = createHash('sha256').update(datasetHashInput(config)).digest('hex');
  return { hex, short: hex.slice(0, 16) };
}
