/**
 * Progress output: a redrawn bar on a TTY (statements done, rate, ETA), plain periodic lines
 * elsewhere (CI logs, pipes). It writes to stderr by default so stdout stays clean for data
 * (the Vector backend can write statements to stdout).
 */

import type { Clock } from '../util/clock.ts';
import { formatEta, formatInt } from '../util/format.ts';

export type ProgressMode = 'auto' | 'bar' | 'plain' | 'none';

export interface ProgressReporter {
  /** `total` = statements the run will produce; `sinkRows` = event-sink rows (tables other than xAPI). */
  start(total: number, sinkRows?: number): void;
  /** `done` = statements finished so far; `sinkRowsDone` = event-sink rows finished so far. */
  update(done: number, sinkRowsDone?: number): void;
  finish(): void;
  /**
   * Prints one log line: on a terminal the bar is cleared first and redrawn after, so lines are
   * never glued onto it. @default the line is written as is
   */
  print?(line: string): void;
}

export interface ProgressOptions {
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly clock: Clock;
  readonly mode: ProgressMode;
  /** Plain mode: one line per interval. @default 5000 */
  readonly intervalMs?: number;
  /**
   * Also draw on a timer between start() and finish(), so a long chunk (millions of event-sink
   * rows) still shows a line every interval (CI kills jobs that print nothing). @default true
   */
  readonly timer?: boolean;
}

export function createProgress(options: ProgressOptions): Required<ProgressReporter> {
  const { stream, clock } = options;
  const mode = options.mode === 'auto' ? (stream.isTTY ? 'bar' : 'plain') : options.mode;
  const intervalMs = options.intervalMs ?? (mode === 'bar' ? 100 : 5000);
  let total = 0;
  let done = 0;
  let sinkTotal = 0;
  let sinkDone = 0;
  let startedAt = 0;
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  let barShown = false;
  let active = false;
  let timer: ReturnType<typeof setInterval> | undefined;

  const line = (): string => {
    const elapsed = (clock.now() - startedAt) / 1000;
    // Percent, rate and ETA count statements and event-sink rows alike: with many actors the
    // event-sink tables are most of the work (issue #12, D9).
    const all = total + sinkTotal;
    const allDone = done + sinkDone;
    const rate = elapsed > 0 ? allDone / elapsed : 0;
    const pct = all > 0 ? (allDone / all) * 100 : 100;
    const eta = rate > 0 ? (all - allDone) / rate : Number.NaN;
    const rows = sinkTotal > 0 ? `, ${formatInt(sinkDone)}/${formatInt(sinkTotal)} event-sink rows` : '';
    return `${pct.toFixed(1).padStart(5)}% ${formatInt(done)}/${formatInt(total)} statements${rows}, ${formatInt(rate)}/s, ETA ${formatEta(eta)}`;
  };

  const draw = (force: boolean) => {
    if (mode === 'none') return;
    const now = clock.now();
    if (!force && now - lastDrawAt < intervalMs) return;
    lastDrawAt = now;
    if (mode === 'bar') {
      const width = 24;
      const all = total + sinkTotal;
      const filled = all > 0 ? Math.round(((done + sinkDone) / all) * width) : width;
      stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${line()}`);
      barShown = true;
    } else {
      stream.write(`progress: ${line()}\n`);
    }
  };

  const stopTimer = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };

  return {
    start(n, rows = 0) {
      total = n;
      done = 0;
      sinkTotal = rows;
      sinkDone = 0;
      startedAt = clock.now();
      lastDrawAt = startedAt;
      active = true;
      if (mode !== 'none' && options.timer !== false) {
        timer = setInterval(() => draw(false), intervalMs);
        timer.unref();
      }
    },
    update(n, rows) {
      done = n;
      if (rows !== undefined) sinkDone = rows;
      draw(false);
    },
    finish() {
      stopTimer();
      if (!active) return;
      active = false;
      draw(true);
      if (mode === 'bar' && barShown) stream.write('\n');
      barShown = false;
    },
    print(text) {
      if (mode === 'bar' && barShown) {
        stream.write(`\r\x1b[2K${text}\n`);
        draw(true);
      } else {
        stream.write(`${text}\n`);
      }
    },
  };
}
