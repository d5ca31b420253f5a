/**
 * `{log_dir}/db_load.log`, as the original kept: every informational line of a run, appended,
 * rotated at `log_max_bytes` keeping `log_backup_count` old files (`db_load.log.1` … `.n`).
 * A log that cannot be opened is a warning, never a failure (the original did the same).
 */

import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/types.ts';
import { describeError } from '../errors.ts';

export interface RunLog {
  /** Appends one line (a timestamp and level are added). */
  write(level: 'INFO' | 'WARNING' | 'ERROR', message: string): void;
  /** Path of the log file, or `null` when there is none. */
  readonly path: string | null;
}

const NO_LOG: RunLog = { write: () => {}, path: null };

function timestamp(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())},${p(date.getMilliseconds(), 3)}`;
}

function rotate(path: string, backups: number): void {
  if (backups <= 0) {
    rmSync(path, { force: true });
    return;
  }
  rmSync(`${path}.${backups}`, { force: true });
  for (let i = backups - 1; i >= 1; i--) {
    if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
  }
  renameSync(path, `${path}.1`);
}

/** Opens the run log of `config`; `warn` receives one line if it cannot be used. */
export function openRunLog(config: Config, warn: (line: string) => void, now: () => Date = () => new Date()): RunLog {
  if (!config.logDir) return NO_LOG;
  const path = join(config.logDir, 'db_load.log');
  try {
    mkdirSync(config.logDir, { recursive: true });
    appendFileSync(path, '');
  } catch (error) {
    warn(`warning: unable to open log file "${path}": ${describeError(error)}; continuing without it`);
    return NO_LOG;
  }
  let failed = false;
  return {
    path,
    write(level, message) {
      if (failed) return;
      const text = message
        .split('\n')
        .map((line) => `${timestamp(now())} xapi_db_load ${level.padEnd(8)} ${line}\n`)
        .join('');
      try {
        if (config.logMaxBytes > 0 && existsSync(path) && statSync(path).size + text.length > config.logMaxBytes) {
          rotate(path, config.logBackupCount);
        }
        appendFileSync(path, text);
      } catch (error) {
        failed = true;
        warn(`warning: writing the log file "${path}" failed: ${describeError(error)}; continuing without it`);
      }
    },
  };
}
