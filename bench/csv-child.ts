/**
 * Bench child: one csv load-db run in a fresh process, so its peak RSS (all threads) is the
 * run's own. It runs the built library (lib/, what `npx xapi-db-load` runs), not the sources.
 * Prints one JSON line.
 */

import { readFileSync } from 'node:fs';
import type * as ConfigModule from '../src/config/index.ts';
import type * as RunnerModule from '../src/run/runner.ts';

const { resolveConfig }: typeof ConfigModule = await import(new URL('../lib/config/index.js', import.meta.url).href);
const { runLoadDb }: typeof RunnerModule = await import(new URL('../lib/run/runner.js', import.meta.url).href);

const [rawConfigJson] = process.argv.slice(2);
const config = resolveConfig(JSON.parse(rawConfigJson as string), { source: 'bench' });
// Peak RSS of this process: VmHWM from /proc (reset by exec, unlike getrusage's maxrss, which
// Linux carries over from the parent that forked us), backed by sampling.
let sampledPeak = 0;
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
}, 25);
const result = await runLoadDb(config);
clearInterval(sampler);
function peakRssBytes(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux: fall back to sampling
  }
  return Math.max(sampledPeak, process.memoryUsage.rss());
}
const xapi = result.summary.tables.xapi;
// CPU of every thread of this process since it started: start-up, world, workers, writes.
const usage = process.resourceUsage();
const main = process.threadCpuUsage();
process.stdout.write(
  `${JSON.stringify({
    statements: result.statements,
    seconds: result.durationMs / 1000,
    maxRssBytes: peakRssBytes(),
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    mainThreadCpuSeconds: (main.user + main.system) / 1e6,
    xapiRawBytes: xapi?.rawBytes ?? 0,
    xapiBytes: xapi?.bytes ?? 0,
    totalRawBytes: Object.values(result.summary.tables).reduce((a, t) => a + (t?.rawBytes ?? 0), 0),
  })}\n`,
);
