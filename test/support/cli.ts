/** Runs the CLI from sources as a child process, the way users run it. */

import { execFile } from 'node:child_process';

export const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;

export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** `node src/cli.ts …args` in `cwd`; never rejects: the exit code is part of the outcome. */
export function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliOutcome> {
  return runNode([CLI, ...args], cwd, env);
}

/** `node …args` in `cwd`, as {@link runCli}. */
export function runNode(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...args],
      { cwd, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, ms: performance.now() - started });
      },
    );
  });
}
