#!/usr/bin/env node
/**
 * The `xapi-db-load` executable: runs `main` (src/cli/main.ts) with the process's streams and
 * turns SIGINT/SIGTERM into an abort. Exit codes: 0 success, 1 runtime failure, 2 usage or
 * config error, 130/143 stopped by a signal.
 */

import { fileURLToPath } from 'node:url';
import { main } from './cli/main.ts';
import { InterruptedError } from './errors.ts';

export type { CliIo } from './cli/main.ts';
export { main };

const isEntryPoint =
  process.argv[1] !== undefined && fileURLToPath(import.meta.url) === (await realpathOrSelf(process.argv[1]));

async function realpathOrSelf(path: string): Promise<string> {
  const { realpath } = await import('node:fs/promises');
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

if (isEntryPoint) {
  const controller = new AbortController();
  // Every signal is handled (not once): a second Ctrl-C, or the second SIGTERM `timeout` sends,
  // must not kill the run before it has recorded what it loaded (issue #9, D7, D8).
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (controller.signal.aborted) {
      process.stderr.write(`${signal} again: already stopping; recording what was loaded first\n`);
      return;
    }
    process.stderr.write(`\n${signal}: stopping (the running statement is cancelled) and recording what was loaded\n`);
    controller.abort(InterruptedError.fromSignal(signal));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  });
  process.exitCode = code;
}
