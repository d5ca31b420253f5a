/**
 * Bench child: one csv load-db run in a fresh process, so its peak RSS (all threads) is the
 * run's own. Prints one JSON line.
 */

import { resolveConfig } from '../src/config/index.ts';
import { runLoadDb } from '../src/run/runner.ts';

const [rawConfigJson] = process.argv.slice(2);
const config = resolveConfig(JSON.parse(rawConfigJson as string), { source: 'bench' });
const result = await runLoadDb(config);
const xapi = result.summary.tables.xapi;
process.stdout.write(
  `${JSON.stringify({
    statements: result.statements,
    seconds: result.durationMs / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    xapiRawBytes: xapi?.rawBytes ?? 0,
    xapiBytes: xapi?.bytes ?? 0,
    totalRawBytes: Object.values(result.summary.tables).reduce((a, t) => a + (t?.rawBytes ?? 0), 0),
  })}\n`,
);
