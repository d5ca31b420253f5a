/**
 * Bench child for the fixture section: what one test file pays in a fresh process, run from the
 * built library (lib/). `bare <dir>` opens the embedded engine on an empty data directory and
 * runs one query; `seed <preset> <cacheDir> [nosnapshot]` runs seedAspects. Prints one JSON line.
 */

import type * as ConnectModule from '../src/clickhouse/connect.ts';
import type * as TestingModule from '../src/testing/index.ts';

const [mode, ...args] = process.argv.slice(2);
if (mode === 'bare') {
  const { createClickHouse }: typeof ConnectModule = await import(
    new URL('../lib/clickhouse/connect.js', import.meta.url).href
  );
  const ch = await createClickHouse({ kind: 'embedded', path: args[0] as string });
  await (await ch.client.query({ query: 'SELECT 1', format: 'JSONEachRow' })).json();
  await ch.close();
  console.log(JSON.stringify({ ms: performance.now() }));
} else {
  const { seedAspects }: typeof TestingModule = await import(new URL('../lib/testing/index.js', import.meta.url).href);
  const [preset, cacheDir, noSnapshot] = args;
  const aspects = await seedAspects(preset as string, {
    provider: 'embedded',
    cache: { dir: cacheDir as string, env: {} },
    snapshot: noSnapshot !== 'nosnapshot',
    log: () => {},
  });
  const result = {
    ms: performance.now(),
    snapshot: aspects.snapshot,
    cacheHit: aspects.cacheHit,
    statements: aspects.counts.xapi_events_all,
  };
  await aspects.close();
  console.log(JSON.stringify(result));
}
