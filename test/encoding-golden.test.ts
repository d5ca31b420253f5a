/**
 * The bytes of every table, in every encoding, for two fixed configs (the default and the 1.x
 * example's course mix), pinned by hash. Generation is tuned for speed (#13); this is what keeps
 * a faster encoder from writing different data. The hashes were taken from the encoder before
 * that work; a change here is a data-format change and needs a new `DATA_FORMAT_VERSION`.
 */

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/index.ts';
import { ByteWriter } from '../src/formats/byte-writer.ts';
import { TABLE_KEYS, type TableKey } from '../src/formats/tables.ts';
import { planDataset } from '../src/generate/dataset.ts';
import { type ChunkEncoding, encodeChunks } from '../src/generate/encode.ts';
import { buildWorld } from '../src/generate/world.ts';

const MAKEUP = {
  small: { actors: 5, problems: 20, videos: 10, chapters: 3, sequences: 10, verticals: 20, forum_posts: 20 },
  medium: { actors: 7, problems: 40, videos: 20, chapters: 4, sequences: 20, verticals: 30, forum_posts: 40 },
  large: { actors: 10, problems: 80, videos: 30, chapters: 5, sequences: 40, verticals: 80, forum_posts: 200 },
};

const MIXES = {
  default: { num_course_sizes: { small: 1, medium: 1, large: 1 }, num_course_publishes: 5 },
  '1x': { num_course_sizes: { small: 1, medium: 1 }, num_course_publishes: 7 },
} as const;

function hashTable(mix: keyof typeof MIXES, table: TableKey, encoding: ChunkEncoding): string {
  const config = resolveConfig(
    {
      backend: 'csv',
      // Never written to: chunks are encoded in memory.
      csv_output_destination: 'unused/',
      num_xapi_batches: 12,
      batch_size: 250,
      seed: 7,
      start_date: '2014-01-01',
      end_date: '2023-11-27',
      course_length_days: 120,
      num_organizations: 3,
      num_actors: 300,
      num_actor_profile_changes: 3,
      course_size_makeup: MAKEUP,
      ...MIXES[mix],
    },
    { source: 'test' },
  );
  const world = buildWorld(config);
  const plan = planDataset(world);
  const hash = createHash('sha256');
  const out = new ByteWriter(1024);
  for (let index = 0; index < plan.tables[table].chunks; index++) {
    hash.update(encodeChunks(out, world, plan, table, index, 1, encoding).data);
  }
  return hash.digest('hex').slice(0, 16);
}

/** sha256 (first 16 hex digits) of each table's bytes, from the encoder before #13. */
const GOLDEN: Record<keyof typeof MIXES, { csv: Record<TableKey, string>; 'json-array': string; vector: string }> = {
  default: {
    csv: {
      courseOverviews: '5556a8cd602a1a86',
      courseBlocks: 'f9845e0965199343',
      objectTags: '257380c64e4803b0',
      taxonomies: '024ef7c35d1dae99',
      tags: '09d4b6ce13fa6ca5',
      externalIds: '777e849c1c1aa625',
      userProfiles: '47605ff06060ecc5',
      xapi: '97ab6a8af7961c8b',
    },
    'json-array': '0299edc8bb54ce30',
    vector: 'e1cba554e2852fed',
  },
  '1x': {
    csv: {
      courseOverviews: 'da60d50dbd2bf57a',
      courseBlocks: '78e7f9e10a4fac41',
      objectTags: '8ed8563f88b515bf',
      taxonomies: '024ef7c35d1dae99',
      tags: '09d4b6ce13fa6ca5',
      externalIds: '777e849c1c1aa625',
      userProfiles: '47605ff06060ecc5',
      xapi: 'eb4d1c4f65a101e7',
    },
    'json-array': 'dd8a5e32808acd95',
    vector: '653546e95a69a471',
  },
};

describe.each(Object.keys(MIXES) as (keyof typeof MIXES)[])('%s course mix', (mix) => {
  it('writes the pinned bytes for every table as CSV', () => {
    const hashes = Object.fromEntries(TABLE_KEYS.map((t) => [t, hashTable(mix, t, 'csv')]));
    expect(hashes).toEqual(GOLDEN[mix].csv);
  });

  it.each(['json-array', 'vector'] as const)('writes the pinned xAPI bytes as %s', (encoding) => {
    expect(hashTable(mix, 'xapi', encoding)).toBe(GOLDEN[mix][encoding]);
  });
});
