/**
 * A hand-built `Config` for tests that need a world but not the config loader: one `small`
 * course, the original tool's default small makeup, the default LMS URL and seed 1.
 */

import { resolveConfig } from '../../src/config/index.ts';
import type { Config, CourseMakeup } from '../../src/config/types.ts';

export const SMALL_MAKEUP: CourseMakeup = {
  actors: 5,
  problems: 20,
  videos: 10,
  chapters: 3,
  sequences: 10,
  verticals: 20,
  forumPosts: 20,
};

/** 2014-01-01 as an epoch day. */
export const START_DAY = 16_071;
/** 2023-11-27 as an epoch day. */
export const END_DAY = 19_688;

/** A complete test config (every other key at its default); `overrides` replace top-level fields. */
export function makeTestConfig(overrides: Partial<Config> = {}): Config {
  const base = resolveConfig(
    {
      backend: 'csv',
      csv_output_destination: 'out/',
      num_xapi_batches: 3,
      batch_size: 100,
      num_workers: 1,
      start_date: '2014-01-01',
      end_date: '2023-11-27',
      course_length_days: 120,
      num_organizations: 3,
      num_actors: 10,
      num_course_sizes: { small: 1 },
      course_size_makeup: {
        small: { actors: 5, problems: 20, videos: 10, chapters: 3, sequences: 10, verticals: 20, forum_posts: 20 },
      },
    },
    { source: 'makeTestConfig' },
  );
  return Object.freeze({ ...base, courseSizes: [{ name: 'small', count: 1, makeup: SMALL_MAKEUP }], ...overrides });
}
