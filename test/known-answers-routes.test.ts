/**
 * The journeys' xAPI through the other backends of load-journeys: the real Ralph LRS (started
 * from `.venv-ralph`, filesystem backend; skipped with one line when it is not installed) and
 * Vector log lines.
 */

import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ralphRoute, vectorRoute } from '../src/cli/known-answers.ts';
import type { Config } from '../src/config/types.ts';
import { resolveJourneysConfig } from '../src/journeys/config.ts';
import { generateJourneys } from '../src/journeys/generate.ts';
import { type JourneysInput, readJourneysInput } from '../src/load/journeys.ts';
import {
  type BasicAuth,
  ralphInstalled,
  ralphSkipReason,
  readAllStatements,
  startRalph,
} from './support/ralph-server.ts';

let work: string;
let input: JourneysInput;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'xdl-journeys-routes-'));
  const doc = parse(await readFile(new URL('../configs/journeys/oracle.yaml', import.meta.url), 'utf8'));
  await generateJourneys(
    resolveJourneysConfig(doc, { overrides: { outputDir: join(work, 'journeys'), now: '2026-10-08 12:00:00' } }),
  );
  input = await readJourneysInput(join(work, 'journeys'));
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The file's statements by id (a duplicate is the same statement). */
async function fileStatements(): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  const lines = createInterface({ input: createReadStream(input.paths.xapi).pipe(createGunzip()) });
  for await (const line of lines) {
    const rest = line.slice(line.indexOf(',', line.indexOf(',') + 1) + 1);
    const json = JSON.parse(rest.slice(1, -1).replace(/""/g, '"')) as { id: string };
    out.set(json.id, json);
  }
  return out;
}

const auth: BasicAuth = { username: 'ralph', password: 'pw-journeys-never-printed' };

describe.skipIf(!ralphInstalled)(ralphInstalled ? 'ralph route' : `ralph route: ${ralphSkipReason}`, () => {
  it('POSTs every distinct statement once, exactly as the file holds it', async () => {
    await using ralph = await startRalph(auth);
    const config = {
      lrsUrl: ralph.statementsUrl,
      lrsUsername: auth.username,
      lrsPassword: auth.password,
      batchSize: 500,
    };
    const sent = await ralphRoute(config as Config, () => {}).send(input.paths.xapi);
    const expected = await fileStatements();
    const distinct = (input.manifest.rows.xapi ?? 0) - (input.manifest.edgeCases.duplicate_events ?? 0);
    expect(expected.size).toBe(distinct);
    expect(sent).toBeGreaterThanOrEqual(distinct);
    const stored = await readAllStatements(ralph.statementsUrl, auth, { pageSize: 1000 });
    expect(stored).toHaveLength(distinct);
    for (const statement of stored) {
      const { stored: _at, authority: _by, ...rest } = statement;
      expect(rest).toEqual(expected.get(statement.id));
    }
  }, 300_000);
});

describe('vector route', () => {
  it('writes one Vector line per statement in file order, duplicates included', async () => {
    const out = join(work, 'vector', 'xapi.log');
    const sent = await vectorRoute({ vectorOutput: out } as Config, process.stdout).send(input.paths.xapi);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(sent).toBe(input.manifest.rows.xapi);
    expect(lines).toHaveLength(input.manifest.rows.xapi ?? 0);
    // The regex Aspects' Vector config parses statements with.
    const vector = /^.* \[xapi_tracking\] [^{}]* (?<tracking_message>\{.*\})$/;
    const statements = await fileStatements();
    for (const line of lines) {
      const json = JSON.parse(vector.exec(line)?.groups?.tracking_message ?? 'null') as { id: string };
      expect(json).toEqual(statements.get(json.id));
    }
  });
});
