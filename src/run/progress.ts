/**
 * Progress output: a redrawn bar on a TTY (statements done, rate, ETA), plain periodic lines
 * elsewhere (CI logs, pipes). It writes to stderr by default so stdout stays clean for data
 * (the Vector backend can write statements to stdout).
 */

import type { Clock } from './clock.ts';
import { formatEta, formatInt } from './format.ts';

export type ProgressMode = 'auto' | 'bar' | 'plain' | 'none';

export interface ProgressReporter {
  /** `total` = statements the run will produce. */
  start(total: number): void;
  /** `done` = statements finished so far. */
  update(done: number): void;
  finish(): void;
}

export interface ProgressOptions {
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly clock: Clock;
  readonly mode: ProgressMode;
  /** Plain mode: one line per interval. @default 5000 */
  readonly intervalMs?: number;
}

export function createProgress(options: ProgressOptions): ProgressReporter {
  const { stream, clock } = options;
  const mode = options.mode === 'auto' ? (stream.isTTY ? 'bar' : 'plain') : options.mode;
  const intervalMs = options.intervalMs ?? (mode === 'bar' ? 100 : 5000);
  let total = 0;
  let done = 0;
  let startedAt = 0;
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  let drewBar = false;

  const line = (): string => {
    const elapsed = (clock.now() - startedAt) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const pct = total > 0 ? (done / total) * 100 : 100;
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    return `${pct.toFixed(1).padStart(5)}% ${formatInt(done)}/${formatInt(total)} statements, ${formatInt(rate)}/s, ETA ${formatEta(eta)}`;
  };

  const draw = (force: boolean) => {
    if (mode === 'none') return;
    const now = clock.now();
    if (!force && now - lastDrawAt < intervalMs) return;
    lastDrawAt = now;
    if (mode === 'bar') {
      const width = 24;
      const filled = total > 0 ? Math.round((done / total) * width) : width;
      stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${line()}`);
      drewBar = true;
    } else {
      stream.write(`progress: ${line()}\n`);
    }
  };

  return {
    start(n) {
      total = n;
      done = 0;
      startedAt = clock.now();
      lastDrawAt = startedAt;
    },
    update(n) {
      done = n;
      draw(false);
    },
    finish() {
      draw(true);
      if (mode === 'bar' && drewBar) stream.write('\n');
    },
  };
}
