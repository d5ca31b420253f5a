/**
 * The csv sink frees each chunk's buffer once a local file has it (#13: dead chunks waiting
 * for the main thread's garbage collector raised peak RSS at 10M statements), and leaves alone
 * buffers it does not own whole or that a destination may still hold (an S3 upload buffers parts).
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkResult } from '../src/backends/chunk.ts';
import { createCsvSink } from '../src/backends/csv.ts';
import { resolveConfig } from '../src/config/index.ts';
import { planDataset } from '../src/generate/dataset.ts';
import { buildWorld } from '../src/generate/world.ts';
import type { Destination } from '../src/storage/destination.ts';
import { localDestination } from '../src/storage/local.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function openSink(wrap?: (d: Destination) => Destination) {
  const dir = await mkdtemp(join(tmpdir(), 'xdl-release-'));
  dirs.push(dir);
  const config = resolveConfig(
    {
      backend: 'csv',
      csv_output_destination: dir,
      num_xapi_batches: 1,
      batch_size: 10,
      seed: 3,
      start_date: '2014-01-01',
      end_date: '2023-11-27',
      course_length_days: 120,
      num_organizations: 1,
      num_actors: 5,
      num_actor_profile_changes: 1,
      num_course_publishes: 1,
      num_course_sizes: { small: 1 },
      course_size_makeup: {
        small: { actors: 3, problems: 2, videos: 2, chapters: 1, sequences: 1, verticals: 2, forum_posts: 1 },
      },
    },
    { source: 'test' },
  );
  const local = localDestination(dir);
  const sink = createCsvSink(config, wrap ? wrap(local) : local);
  await sink.open(planDataset(buildWorld(config)));
  return { sink, dir };
}

function chunk(data: Uint8Array): ChunkResult {
  return {
    table: 'tags',
    index: 0,
    count: 1,
    encoding: 'csv',
    gzipLevel: 1,
    withIds: false,
    rows: 1,
    rawBytes: 4,
    data,
    ids: [],
  };
}

describe('csv sink: chunk buffers after writing', () => {
  it('frees a chunk it holds whole once the local file has it, and the file has the bytes', async () => {
    const { sink, dir } = await openSink();
    const data = new Uint8Array(gzipSync('a,b\r\n'));
    const owned = new Uint8Array(data.byteLength);
    owned.set(data);
    await sink.write(chunk(owned));
    expect(owned.buffer.byteLength).toBe(0);
    const summary = await sink.close();
    const file = await readFile(join(dir, 'tags.csv.gz'));
    expect(gunzipSync(file).toString()).toBe('a,b\r\n');
    // The summary counted the bytes before they were freed.
    expect(summary.tables.tags?.bytes).toBe(file.byteLength);
  });

  it('leaves a view into a larger buffer alone', async () => {
    const { sink } = await openSink();
    const data = gzipSync('a,b\r\n');
    const shared = new Uint8Array(data.byteLength + 8);
    shared.set(data, 8);
    const view = shared.subarray(8);
    await sink.write(chunk(view));
    expect(shared.byteLength).toBe(data.byteLength + 8);
    expect(Buffer.from(view).equals(data)).toBe(true);
    await sink.abort(new Error('test over'));
  });

  it('leaves the buffer alone when the destination may still hold it', async () => {
    const held: Uint8Array[] = [];
    const { sink } = await openSink((local) => ({
      ...local,
      async createFile(name) {
        const writer = await local.createFile(name);
        // Like an S3 upload: keeps the bytes after write() resolves, and says nothing.
        return {
          location: writer.location,
          commit: () => writer.commit(),
          abort: () => writer.abort(),
          write: async (d) => {
            held.push(d);
            await writer.write(d);
          },
        };
      },
    }));
    const data = new Uint8Array(gzipSync('a,b\r\n'));
    await sink.write(chunk(data));
    expect(held[0]?.byteLength).toBe(data.byteLength);
    expect(data.buffer.byteLength).toBeGreaterThan(0);
    await sink.abort(new Error('test over'));
  });
});
