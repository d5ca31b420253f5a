/** The private copy of `seedFromProvided({ isolate: true })` is dropped however the handle is released. */

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { dropSchema } from '../src/clickhouse/schema.ts';
import { seedAspects } from '../src/testing/index.ts';
import { ASPECTS_VERSION_ENV, dropOnClose, zeroConfigOptions } from '../src/testing/shared-setup.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function databases(ch: ClickHouse, suffix: string): Promise<string[]> {
  const rs = await ch.client.query({
    query: 'SELECT name FROM system.databases WHERE endsWith(name, {suffix:String}) ORDER BY name',
    query_params: { suffix },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ name: string }>()).map((r) => r.name);
}

it.each(['await using', 'close()'])(
  'drops the isolated copy on %s',
  async (how) => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'xdl-isolate-'));
    dirs.push(cacheDir);
    const suffix = `iso_${randomBytes(3).toString('hex')}`;
    await using observer = await createClickHouse({ kind: 'embedded' });
    const seed = async () => {
      const seeded = await seedAspects('tiny', {
        provider: 'embedded',
        cache: { dir: cacheDir, env: {} },
        databaseSuffix: suffix,
        log: () => {},
      });
      return dropOnClose(seeded, () => dropSchema(seeded.clickhouse, seeded.names));
    };
    if (how === 'await using') {
      await using copy = await seed();
      expect(copy.counts.xapi_events_all).toBe(8100);
      expect(await databases(observer, suffix)).toHaveLength(3);
    } else {
      const copy = await seed();
      expect(await databases(observer, suffix)).toHaveLength(3);
      await copy.close();
    }
    expect(await databases(observer, suffix)).toEqual([]);
  },
  120_000,
);

it('the zero-config setups take aspectsVersion from XAPI_DB_LOAD_ASPECTS_VERSION', () => {
  expect(ASPECTS_VERSION_ENV).toBe('XAPI_DB_LOAD_ASPECTS_VERSION');
  expect(zeroConfigOptions({ XAPI_DB_LOAD_ASPECTS_VERSION: 'v7.0.0' })).toEqual({ aspectsVersion: 'v7.0.0' });
  expect(zeroConfigOptions({ XAPI_DB_LOAD_ASPECTS_VERSION: '' })).toEqual({});
  expect(zeroConfigOptions({})).toEqual({});
});
