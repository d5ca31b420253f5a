/**
 * The Node flags a generation worker starts with: the parent's, minus those that describe how the
 * parent's own entry was given (`-e`, `-p`, `--input-type`, `--test`, `--watch`…). A worker
 * inherits `process.execArgv` by default, and with `--input-type` it dies with
 * ERR_INPUT_TYPE_NOT_ALLOWED, since its entry is a file (issue #12, D16). Loader flags
 * (`--import`, `--experimental-*`, `--conditions`) stay: the worker's imports need them.
 */

/** Flags dropped, with whether they take the next argument as their value. */
const ENTRY_FLAGS: ReadonlyMap<string, boolean> = new Map([
  ['--input-type', true],
  ['-e', true],
  ['--eval', true],
  ['-p', true],
  ['--print', true],
  ['-c', false],
  ['--check', false],
  ['-i', false],
  ['--interactive', false],
  ['--test', false],
  ['--watch', false],
  ['--watch-path', true],
  ['--watch-preserve-output', false],
]);

/** Prefixes of flag families that belong to the parent's entry only. */
const ENTRY_FLAG_PREFIXES = ['--test-', '--watch-'];

/** `execArgv` without the entry-describing flags (and their values). */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    const takesValue = ENTRY_FLAGS.get(name);
    if (takesValue !== undefined) {
      if (takesValue && !arg.includes('=')) i++;
      continue;
    }
    if (ENTRY_FLAG_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      // `--test-reporter spec` and the like: skip a separate value too.
      if (!arg.includes('=') && i + 1 < execArgv.length && !(execArgv[i + 1] as string).startsWith('-')) i++;
      continue;
    }
    kept.push(arg);
  }
  return kept;
}
