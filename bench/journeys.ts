/**
 * `npm run bench`, journeys section: events/s and peak memory of `xapi-db-load journeys` at the
 * `m` size (configs/journeys/m.yaml). Runs in a child process so the peak RSS (workers
 * included: they are threads of that process) is the generator's alone.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface JourneysBenchOptions {
  readonly configFile: string;
  readonly workers: number;
  readonly sortEvents: boolean;
}

export async function benchJourneys(options: JourneysBenchOptions): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'xdl-bench-journeys-'));
  try {
    const child = new URL('./journeys-child.ts', import.meta.url).pathname;
    const { stdout } = await run(process.execPath, [child, JSON.stringify({ ...options, outputDir: out })], {
      maxBuffer: 1 << 20,
    });
    const r = JSON.parse(stdout) as {
      events: number;
      enrollments: number;
      seconds: number;
      maxRssMb: number;
      cpuSeconds: number;
    };
    console.log(
      `journeys (${options.configFile}, ${options.workers} workers, sort_events ${options.sortEvents}): ` +
        `${r.events.toLocaleString('en-US')} events, ${r.enrollments.toLocaleString('en-US')} enrollments in ${r.seconds.toFixed(1)} s = ` +
        `${Math.round(r.events / r.seconds).toLocaleString('en-US')} events/s; ${r.cpuSeconds.toFixed(0)} CPU-s = ` +
        `${Math.round(r.events / r.cpuSeconds).toLocaleString('en-US')} events per CPU-second; peak RSS ${r.maxRssMb} MB`,
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
