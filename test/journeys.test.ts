/**
 * Learner journeys: the oracle-size example config is generated once (now pinned), then every
 * expected row is re-derived from the emitted events alone, with code written here
 * independently of src/journeys/oracle.ts, so the simulation and the events cannot drift apart.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../src/cli.ts';
import { ConfigError } from '../src/errors.ts';
import { type JourneysConfig, resolveJourneysConfig } from '../src/journeys/config.ts';
import { generateJourneys, JOURNEYS_FILES } from '../src/journeys/generate.ts';
import { observableSegments } from '../src/journeys/oracle.ts';
import { parseNow } from '../src/journeys/time.ts';
import { parseCsv } from './support/csv-files.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const ORACLE_CONFIG = join(ROOT, 'configs', 'journeys', 'oracle.yaml');
const NOW = '2026-10-08 12:00:00';

let work: string;
let doc: Record<string, unknown>;
let config: JourneysConfig;
let out: string;

async function gz(dir: string, file: string): Promise<string> {
  return gunzipSync(await readFile(join(dir, file))).toString('utf8');
}

async function csv(dir: string, file: string): Promise<string[][]> {
  return parseCsv(await gz(dir, file));
}

function withOutput(dir: string, patch: Record<string, unknown> = {}): JourneysConfig {
  return resolveJourneysConfig(
    { ...doc, journeys: { ...(doc.journeys as object), ...patch } },
    { overrides: { outputDir: dir, now: NOW } },
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'xapi-db-load-journeys-'));
  doc = parse(await readFile(ORACLE_CONFIG, 'utf8')) as Record<string, unknown>;
  out = join(work, 'a');
  config = withOutput(out);
  await generateJourneys(config);
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Statement {
  id: string;
  actor: { mbox?: string; account?: { name: string } };
  timestamp: string;
  verb: { id: string; display: { en: string } };
  object: { id: string; definition: { extensions?: Record<string, unknown> } };
  context?: { contextActivities?: { parent: Array<{ id: string }> }; extensions?: Record<string, unknown> };
  result?: { extensions?: Record<string, number>; success?: boolean; score?: { raw: number; max: number } };
}

interface Event {
  id: string;
  time: string;
  s: Statement;
  verb: string;
  actor: string;
  course: string;
  object: string;
}

const VIDEO_EXT = 'https://w3id.org/xapi/video/extensions/';

/** Events deduplicated by id, in file order. */
async function events(dir: string): Promise<{ all: string[][]; unique: Event[] }> {
  const all = await csv(dir, JOURNEYS_FILES.xapi);
  const seen = new Set<string>();
  const unique: Event[] = [];
  for (const [id, time, json] of all as [string, string, string][]) {
    if (seen.has(id)) continue;
    seen.add(id);
    const s = JSON.parse(json) as Statement;
    const actor = s.actor.mbox ?? (s.actor.account?.name as string);
    const verb = s.verb.display.en;
    const courseUrl = verb === 'registered' ? s.object.id : (s.context?.contextActivities?.parent[0]?.id ?? '');
    const course = courseUrl.split('/course/')[1] as string;
    const object = verb === 'registered' ? '' : (s.object.id.split('/xblock/')[1] as string);
    unique.push({ id, time, s, verb, actor, course, object });
  }
  return { all, unique };
}

interface FinalBlock {
  location: string;
  type: string;
  section: number;
  subsection: number;
  unit: number;
  graded: boolean;
  order: number;
  name: string;
}

/** The final structure per course from blocks.csv: rows of each course's latest dump. */
async function finalStructure(dir: string): Promise<{ final: Map<string, FinalBlock[]>; everLocations: Set<string> }> {
  const rows = await csv(dir, JOURNEYS_FILES.blocks);
  const latest = new Map<string, string>();
  const everLocations = new Set<string>();
  for (const r of rows) {
    const [, course, location, , , , , , dumped] = r as string[];
    everLocations.add(location as string);
    if ((latest.get(course as string) ?? '') < (dumped as string)) latest.set(course as string, dumped as string);
  }
  const final = new Map<string, FinalBlock[]>();
  for (const r of rows) {
    const [, course, location, name, data, order, , , dumped] = r as string[];
    if (latest.get(course as string) !== dumped) continue;
    const d = JSON.parse(data as string) as {
      block_type: string;
      section: number;
      subsection: number;
      unit: number;
      graded: boolean;
    };
    const list = final.get(course as string) ?? [];
    list.push({
      location: location as string,
      type: d.block_type,
      section: d.section,
      subsection: d.subsection,
      unit: d.unit,
      graded: d.graded,
      order: Number(order),
      name: name as string,
    });
    final.set(course as string, list);
  }
  return { final, everLocations };
}

function label(metric: string, done: number, total: number): string {
  const words: Record<string, [string, string, string]> = {
    pages: ['No pages viewed yet', 'At least one page viewed', 'All pages viewed'],
    problems: ['No problems attempted yet', 'At least one problem attempted', 'All problems attempted'],
    videos: ['No videos viewed yet', 'At least one video viewed', 'All videos viewed'],
  };
  const [none, some, all] = words[metric] as [string, string, string];
  return done === 0 ? none : done === total ? all : some;
}

/** Watched segments from raw events, written independently of the oracle's pairing. */
function segmentsFromEvents(list: Event[]): Array<[number, number]> {
  const position = (e: Event): number => {
    const ext = e.s.result?.extensions ?? {};
    if (e.verb === 'seeked') return ext[`${VIDEO_EXT}time-from`] as number;
    return ext[`${VIDEO_EXT}time`] as number;
  };
  const sorted = list
    .filter((e) => e.verb !== 'initialized')
    .sort((a, b) =>
      a.time !== b.time
        ? a.time < b.time
          ? -1
          : 1
        : a.verb === 'played' && b.verb !== 'played'
          ? 1
          : b.verb === 'played' && a.verb !== 'played'
            ? -1
            : a.id < b.id
              ? -1
              : 1,
    );
  const segs: Array<[number, number]> = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i] as Event;
    const b = sorted[i + 1] as Event;
    if (a.verb === 'played' && position(b) > position(a)) segs.push([Math.floor(position(a)), Math.floor(position(b))]);
  }
  return segs;
}

function secondsOf(segs: Array<[number, number]>): { total: number; distinct: number; maxViews: number } {
  const views = new Map<number, number>();
  let total = 0;
  for (const [a, b] of segs) {
    total += b - a;
    for (let n = a + 1; n <= b; n++) views.set(n, (views.get(n) ?? 0) + 1);
  }
  return { total, distinct: views.size, maxViews: Math.max(0, ...views.values()) };
}

describe('journeys: files and determinism', () => {
  it('writes the upstream files, ours and the manifest', async () => {
    expect((await readdir(out)).sort()).toEqual([...Object.values(JOURNEYS_FILES), 'manifest.json'].sort());
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest).slice(0, 11)).toEqual([
      'num_enrollments',
      'num_xapi_events',
      'heavy_learners',
      'seed',
      'now',
      'lms_url',
      'num_actors',
      'num_course_runs',
      'mbox_actors',
      'courses_with_deleted_unit',
      'config',
    ]);
    expect(manifest.now).toBe('2026-10-08 12:00:00.000000');
    expect(manifest.num_xapi_events).toBe((await csv(out, JOURNEYS_FILES.xapi)).length);
    expect((await csv(out, JOURNEYS_FILES.expected_video_seconds))[0]).toContain('observable_max_views');
  });

  it('gives byte-identical files with 4 workers as with 1, and on a second run', async () => {
    const dir = join(work, 'b');
    const four = withOutput(dir, { num_workers: 4 });
    expect(four.numWorkers).toBe(4);
    await generateJourneys(four);
    for (const file of [...Object.values(JOURNEYS_FILES), 'manifest.json']) {
      const a = await readFile(join(out, file));
      const b = await readFile(join(dir, file));
      if (file === 'manifest.json') {
        expect(b.toString().replaceAll(dir, 'X')).toBe(a.toString().replaceAll(out, 'X'));
      } else expect(b.equals(a), file).toBe(true);
    }
  }, 120_000);

  it('writes the same rows unsorted (sort_events: false) as sorted, and sorted ones in time order', async () => {
    const dir = join(work, 'unsorted');
    await generateJourneys(withOutput(dir, { sort_events: false }));
    for (const file of Object.values(JOURNEYS_FILES)) {
      const a = (await gz(out, file)).split('\r\n').sort();
      const b = (await gz(dir, file)).split('\r\n').sort();
      expect(b, file).toEqual(a);
    }
    const rows = await csv(out, JOURNEYS_FILES.xapi);
    const keys = rows.map((r) => `${r[1]} ${r[0]}`);
    expect(keys).toEqual([...keys].sort());
  }, 120_000);

  it('changing one course entry leaves the other courses unchanged (one stream per course)', async () => {
    const dir = join(work, 'edited');
    const courses = (doc.journeys as { courses: Array<Record<string, unknown>> }).courses;
    await generateJourneys(withOutput(dir, { courses: [courses[0], { ...courses[1], learners: [5, 6] }] }));
    const keysOf = async (d: string) => new Set((await csv(d, JOURNEYS_FILES.courses)).map((r) => r[1]));
    const before = await keysOf(out);
    const after = await keysOf(dir);
    expect([...after]).toEqual([...before]);
    const engagementOf = async (d: string, keys: Set<string>) =>
      (await gz(d, JOURNEYS_FILES.expected_engagement))
        .split('\r\n')
        .filter((l) => keys.has(l.split(',')[1] as string));
    // The first entry's course runs: same keys, same learners, same rows.
    const firstEntryKeys = new Set([...before].slice(0, 2) as string[]);
    const unchanged = await engagementOf(out, firstEntryKeys);
    expect(unchanged.length).toBeGreaterThan(100);
    expect(await engagementOf(dir, firstEntryKeys)).toEqual(unchanged);
    // …while the edited entry's runs did change.
    expect((await csv(dir, JOURNEYS_FILES.expected_enrollments)).length).toBeLessThan(
      (await csv(out, JOURNEYS_FILES.expected_enrollments)).length,
    );
  }, 120_000);
});

describe('journeys: every expected row re-derived from the events', () => {
  it('expected_engagement, expected_video_seconds, expected_problem_results and expected_enrollments match the events', async () => {
    const { unique } = await events(out);
    const { final } = await finalStructure(out);
    const byEnrollment = new Map<string, Event[]>();
    const enrollOrder: string[] = [];
    for (const e of unique) {
      const key = `${e.course} ${e.actor}`;
      if (!byEnrollment.has(key)) {
        byEnrollment.set(key, []);
      }
      (byEnrollment.get(key) as Event[]).push(e);
      if (e.verb === 'registered') enrollOrder.push(key);
    }
    const engagement: string[] = [];
    const videos: string[] = [];
    const problems: string[] = [];
    const enrollments: string[] = [];
    for (const key of enrollOrder) {
      const [course, actor] = key.split(' ') as [string, string];
      const evs = byEnrollment.get(key) as Event[];
      const org = course.split(':')[1]?.split('+')[0] as string;
      const blocks = (final.get(course) as FinalBlock[]).sort((a, b) => a.order - b.order);
      const viewed = new Set(evs.filter((e) => e.verb === 'navigated').map((e) => e.object));
      const evaluated = evs.filter((e) => e.verb === 'evaluated');
      const attempted = new Set(evaluated.map((e) => e.object));
      const videoEvents = new Map<string, Event[]>();
      for (const e of evs) {
        if (!['initialized', 'played', 'paused', 'seeked', 'completed', 'terminated'].includes(e.verb)) continue;
        videoEvents.set(e.object, [...(videoEvents.get(e.object) ?? []), e]);
      }
      const observed = new Map<string, ReturnType<typeof secondsOf>>();
      for (const [video, list] of [...videoEvents].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const sec = secondsOf(segmentsFromEvents(list));
        observed.set(video, sec);
        const length = (list[0]?.s.context?.extensions?.[`${VIDEO_EXT}length`] as number) ?? 0;
        videos.push([org, course, actor, video, length, sec.total, sec.distinct, sec.maxViews].join(','));
      }
      const chapters = blocks.filter((b) => b.type === 'chapter');
      for (const ch of chapters) {
        const sum: Record<string, [number, number]> = { pages: [0, 0], problems: [0, 0], videos: [0, 0] };
        for (const seq of blocks.filter((b) => b.type === 'sequential' && b.section === ch.section)) {
          const inSeq = blocks.filter(
            (b) => b.section === seq.section && b.subsection === seq.subsection && b.unit > 0,
          );
          const units = inSeq.filter((b) => b.type === 'vertical');
          const probs = inSeq.filter((b) => b.type === 'problem');
          const vids = inSeq.filter((b) => b.type === 'video');
          const counts: Record<string, [number, number]> = {
            pages: [units.filter((u) => viewed.has(u.location)).length, units.length],
            problems: [probs.filter((p) => attempted.has(p.location)).length, probs.length],
            videos: [vids.filter((v) => (observed.get(v.location)?.total ?? 0) > 0).length, vids.length],
          };
          for (const metric of ['pages', 'problems', 'videos']) {
            const [done, total] = counts[metric] as [number, number];
            (sum[metric] as [number, number])[0] += done;
            (sum[metric] as [number, number])[1] += total;
            if (total > 0)
              engagement.push(
                [org, course, actor, 'subsection', seq.location, metric, done, total, label(metric, done, total)].join(
                  ',',
                ),
              );
          }
          for (const p of probs) {
            const mine = evaluated.filter((e) => e.object === p.location);
            if (mine.length === 0) continue;
            const last = mine.at(-1) as Event;
            problems.push(
              [
                org,
                course,
                actor,
                seq.location,
                p.location,
                p.graded ? 1 : 0,
                mine.length,
                mine[0]?.s.result?.success ? 1 : 0,
                last.s.result?.success ? 1 : 0,
                last.s.result?.score?.raw,
                last.s.result?.score?.max,
              ].join(','),
            );
          }
        }
        for (const metric of ['pages', 'problems', 'videos']) {
          const [done, total] = sum[metric] as [number, number];
          if (total > 0)
            engagement.push(
              [org, course, actor, 'section', ch.location, metric, done, total, label(metric, done, total)].join(','),
            );
        }
      }
      const registered = evs.find((e) => e.verb === 'registered') as Event;
      const activity = evs
        .filter((e) => e.verb !== 'registered')
        .map((e) => e.time)
        .sort();
      const lastBy = new Map<string, Event>();
      for (const e of evaluated) lastBy.set(e.object, e);
      enrollments.push(
        [
          org,
          course,
          actor,
          registered.s.object.definition.extensions?.['https://w3id.org/xapi/acrossx/extensions/type'],
          registered.time,
          activity.length === 0 ? 'registered only' : 'active',
          activity.at(-1) ?? '',
          viewed.size,
          attempted.size,
          [...lastBy.values()].filter((e) => e.s.result?.success).length,
          [...observed.values()].filter((v) => v.total > 0).length,
        ].join(','),
      );
    }
    const expEngagement = (await csv(out, JOURNEYS_FILES.expected_engagement))
      .slice(1)
      .map((r) => r.slice(0, 9).join(','));
    expect(expEngagement.length).toBeGreaterThan(1000);
    expect([...engagement].sort()).toEqual([...expEngagement].sort());
    const expVideos = (await csv(out, JOURNEYS_FILES.expected_video_seconds))
      .slice(1)
      .map((r) => [...r.slice(0, 5), ...r.slice(7)].join(','));
    expect([...videos].sort()).toEqual([...expVideos].sort());
    const expProblems = (await csv(out, JOURNEYS_FILES.expected_problem_results)).slice(1).map((r) => r.join(','));
    expect(expProblems.length).toBeGreaterThan(100);
    expect([...problems].sort()).toEqual([...expProblems].sort());
    const expEnrollments = (await csv(out, JOURNEYS_FILES.expected_enrollments))
      .slice(1)
      .map((r) => [...r.slice(0, 3), ...r.slice(4)].join(','));
    expect([...enrollments].sort()).toEqual([...expEnrollments].sort());
  });

  it('status_truth is the label of done_truth', async () => {
    for (const r of (await csv(out, JOURNEYS_FILES.expected_engagement)).slice(1)) {
      expect(r[10]).toBe(label(r[5] as string, Number(r[9]), Number(r[7])));
    }
  });
});

describe('journeys: edge cases occur and are counted right', () => {
  it('every edge case of the oracle config occurs, with the manifest counts the events show', async () => {
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    const { all, unique } = await events(out);
    // Duplicates: rows whose id was seen before.
    expect(manifest.edge_cases.duplicate_events).toBeGreaterThan(0);
    expect(all.length - unique.length).toBe(manifest.edge_cases.duplicate_events);
    // mailto: actors, consistent with the expected tables.
    const mboxActors = new Set(unique.filter((e) => e.actor.startsWith('mailto:')).map((e) => e.actor));
    expect(manifest.mbox_actors).toBeGreaterThan(0);
    const expectedMbox = new Set(
      (await csv(out, JOURNEYS_FILES.expected_enrollments)).filter((r) => r[2]?.startsWith('mailto:')).map((r) => r[2]),
    );
    expect(mboxActors).toEqual(expectedMbox);
    const mboxEnrollments = unique.filter((e) => e.verb === 'registered' && e.actor.startsWith('mailto:')).length;
    expect(mboxEnrollments).toBe(manifest.edge_cases.mbox_enrollments);
    // Same-instant resume: a pause and a play of one learner and video at one timestamp.
    const pauses = new Set(unique.filter((e) => e.verb === 'paused').map((e) => `${e.actor} ${e.object} ${e.time}`));
    const sameInstant = unique.filter(
      (e) => e.verb === 'played' && pauses.has(`${e.actor} ${e.object} ${e.time}`),
    ).length;
    expect(sameInstant).toBeGreaterThan(0);
    expect(sameInstant).toBe(manifest.edge_cases.same_instant_resumes);
    // Recent activity: some events within a day of now, none after it.
    const nowText = '2026-10-08 12:00:00.000000';
    const dayBefore = '2026-10-07 12:00:00.000000';
    expect(unique.every((e) => e.time <= nowText)).toBe(true);
    expect(unique.some((e) => e.time >= dayBefore)).toBe(true);
    expect(manifest.edge_cases.recent_learners).toBeGreaterThan(0);
    // Registration only.
    const active = new Set(unique.filter((e) => e.verb !== 'registered').map((e) => `${e.course} ${e.actor}`));
    const regOnly = unique.filter((e) => e.verb === 'registered' && !active.has(`${e.course} ${e.actor}`)).length;
    expect(regOnly).toBe(manifest.edge_cases.registration_only);
    // Deleted units: in earlier publishes only, never in totals, counted per course that shows one.
    const { final, everLocations } = await finalStructure(out);
    const finalLocations = new Set([...final.values()].flat().map((b) => b.location));
    const deleted = [...everLocations].filter((l) => !finalLocations.has(l));
    expect(deleted.length).toBeGreaterThan(0);
    expect(new Set(deleted.map((l) => l.split('+type@')[0])).size).toBe(manifest.courses_with_deleted_unit);
    expect(unique.some((e) => deleted.includes(e.object))).toBe(false);
    // Sessions cut by now or abandoned: video rows with no observable seconds.
    expect(manifest.edge_cases.unpaired_video_rows).toBeGreaterThan(0);
    // Heavy learners viewed something (upstream could pick a learner at 0).
    expect(manifest.heavy_learners.every((h: { pages_viewed_fraction: number }) => h.pages_viewed_fraction > 0)).toBe(
      true,
    );
  });
});

describe('journeys: the oracle pairing', () => {
  const ev = (t: number, verb: string, position: number, id: string) => ({
    timeUs: t,
    id,
    verb: verb as never,
    position,
  });
  it('pause and resume at the same instant pair in order', () => {
    // Given out of order: the play shares the pause's time and must come after it.
    const stream = [
      ev(40, 'played', 40, 'a'),
      ev(0, 'played', 0, 'c'),
      ev(40, 'paused', 40, 'z'),
      ev(60, 'terminated', 60, 'b'),
    ];
    expect(observableSegments(stream)).toEqual([
      [0, 40],
      [40, 60],
    ]);
  });
  it('a seek back pairs the play with the seek, not the rewatch', () => {
    const stream = [ev(0, 'played', 0, 'a'), ev(30, 'seeked', 30, 'b'), ev(31, 'played', 10, 'c')];
    expect(observableSegments(stream)).toEqual([[0, 30]]);
  });
});

describe('journeys: configuration', () => {
  it('parses now with an offset by converting it, not relabelling it', () => {
    expect(parseNow('2026-10-08T14:00:00+02:00')).toBe(parseNow('2026-10-08 12:00:00'));
    expect(parseNow('2026-02-30 00:00:00')).toBeNull();
  });

  it('lists every problem at once', () => {
    const bad = {
      journeys: {
        ...(doc.journeys as object),
        window_days: 400,
        course_length_days: 500,
        running_course_fraction: 1.5,
        courses: [{ template: 'tiny', count: 1, learners: [5, 2] }],
        behavior: { typo: 1, max_attempts: 0, video_actions: { rewind: 1 } },
      },
    };
    let error: unknown;
    try {
      resolveJourneysConfig(bad, { overrides: { outputDir: 'x' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.message)).toEqual([
      'journeys.window_days: got 400; window_days must be under 365 to survive the xAPI data TTL (emission_time + 1 year)',
      'journeys.course_length_days: got 500; course_length_days must not be more than window_days (400)',
      'journeys.courses[0].template: got "tiny"; expected the name of a course_templates entry (small, medium)',
      'journeys.courses[0].learners: got a list; expected a list [lo, hi] of integers with 0 ≤ lo ≤ hi',
      'journeys.running_course_fraction: got 1.5; expected a number from 0 to 1',
      'journeys.behavior.video_actions.rewind: unknown video action; expected one of to_end, pause, seek, abandon, terminate',
      'journeys.behavior.video_actions: all weights are 0; expected at least one positive weight',
      'journeys.behavior.max_attempts: got 0; expected a positive integer',
      'journeys.behavior.typo: unknown behavior setting "typo"',
    ]);
  });

  it('accepts the loader keys beside journeys and refuses a misspelt one', () => {
    const ok = resolveJourneysConfig(
      { ...doc, backend: 'clickhouse', db_host: 'localhost', db_name: 'xapi', db_event_sink_name: undefined },
      { overrides: { outputDir: 'x', now: NOW } },
    );
    expect(ok.eventSinkDbName).toBe('event_sink');
    expect(ok.expectedDbName).toBe('journeys');
    expect(() => resolveJourneysConfig({ ...doc, expected_db_nam: 'j' }, { overrides: { outputDir: 'x' } })).toThrow(
      'expected_db_nam: unknown key; did you mean "expected_db_name"?',
    );
  });

  it('accepts both spellings of renamed keys and refuses both at once', () => {
    const j = doc.journeys as Record<string, unknown>;
    const templates = j.course_templates as Record<string, Record<string, unknown>>;
    const {
      problems_per_vertical_weights: p,
      videos_per_vertical_weights: v,
      ...rest
    } = templates.small as Record<string, unknown>;
    const old = resolveJourneysConfig(
      {
        ...doc,
        journeys: {
          ...j,
          course_publishes: undefined,
          num_course_publishes: 3,
          course_templates: { ...templates, small: { ...rest, problems_per_vertical: p, videos_per_vertical: v } },
        },
      },
      { overrides: { outputDir: 'x', now: NOW } },
    );
    expect(old.templates.small?.problemsPerVerticalWeights).toEqual(p);
    expect(old.coursePublishes).toBe(3);
    expect(() =>
      resolveJourneysConfig({ ...doc, journeys: { ...j, num_course_publishes: 2 } }, { overrides: { outputDir: 'x' } }),
    ).toThrow('journeys.num_course_publishes: also given as "journeys.course_publishes"; set only one spelling');
  });
});

describe('journeys: command line', () => {
  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let o = '';
    let e = '';
    stdout.on('data', (d: Buffer) => {
      o += d.toString();
    });
    stderr.on('data', (d: Buffer) => {
      e += d.toString();
    });
    const code = await main(args, { stdout, stderr, env: {} });
    return { code, out: o, err: e };
  }

  it('writes the dataset with --output_dir, --now and --seed', async () => {
    const dir = join(work, 'cli');
    const r = await cli(['journeys', '--config_file', ORACLE_CONFIG, '--output_dir', dir, '--now', NOW, '--seed', '7']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Wrote \d+ xAPI events for \d+ enrollments in \d+ course runs to /);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.seed).toBe(7);
    expect(manifest.now.startsWith('2026-10-08 12:00:00')).toBe(true);
  }, 120_000);

  it('exits 1 naming the directory when output_dir cannot be created', async () => {
    const file = join(work, 'a-file');
    await writeFile(file, 'x');
    const r = await cli(['journeys', '--config_file', ORACLE_CONFIG, '--output_dir', join(file, 'sub'), '--now', NOW]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: journeys: cannot create output_dir ${join(file, 'sub')}`);
  });

  it.each([
    [
      'no journeys mapping',
      { lms_url: 'http://localhost:18000' },
      ['journeys: missing; expected a non-empty mapping of journeys settings'],
    ],
    [
      'a TTL-breaking window and a missing output dir',
      { journeys: { window_days: 400, output_dir: null } },
      [
        'journeys.window_days: got 400; window_days must be under 365',
        'journeys.output_dir: missing; expected a directory path (or pass --output_dir)',
        'journeys.num_actors: missing',
      ],
    ],
  ] as Array<[string, Record<string, unknown>, string[]]>)(
    'exits 2 on %s, listing every problem',
    async (_what, patch, messages) => {
      const file = join(work, `bad-${messages.length}.yaml`);
      const base = patch.journeys
        ? { ...doc, journeys: { ...(doc.journeys as object), num_actors: undefined, ...(patch.journeys as object) } }
        : patch;
      const { stringify } = await import('yaml');
      await writeFile(file, stringify(base));
      const r = await cli(['journeys', '--config_file', file]);
      expect(r.code).toBe(2);
      for (const m of messages) expect(r.err).toContain(m);
      expect(r.out).toBe('');
    },
  );
});

describe('journeys: video truth stops at now', () => {
  it('a session still playing at now has truth seconds up to now and nothing observable', async () => {
    const { buildStructure, planJourneys, sampleLearners } = await import('../src/journeys/plan.ts');
    const { simulateEnrollment } = await import('../src/journeys/simulate.ts');
    const one = resolveJourneysConfig(
      {
        journeys: {
          output_dir: 'x',
          now: NOW,
          num_actors: 1,
          running_course_fraction: 0,
          courses: [{ template: 't', count: 1, learners: [1, 1] }],
          course_templates: {
            t: {
              chapters: [1, 1],
              sequentials_per_chapter: [1, 1],
              verticals_per_sequential: [1, 1],
              problems_per_vertical: [1],
              videos_per_vertical: [0, 1],
              video_length: [600, 600],
            },
          },
          behavior: { start_prob: 1, video_watch_prob: 1, second_session_prob: 0, video_actions: { to_end: 1 } },
        },
      },
      {},
    );
    const plan = planJourneys(one);
    const run = plan.runs[0] as (typeof plan.runs)[number];
    const structure = buildStructure(one, run);
    const actor = plan.actors[sampleLearners(one, run)[0] as number] as (typeof plan.actors)[number];
    const open = simulateEnrollment(one, run, structure, actor, 'http://x/course/c');
    const init = open.events.find((e) => e.verb === 'initialized');
    expect(init).toBeDefined();
    // Same streams, now 100 s after the video was opened: the draws up to now are identical.
    const cut = simulateEnrollment(
      { ...one, nowUs: (init?.timeUs as number) + 100_000_000 },
      run,
      structure,
      actor,
      'http://x/course/c',
    );
    const video = [...cut.videos.values()][0];
    if (!video) throw new Error('the video was never opened');
    expect(video.truth).toHaveLength(1);
    const [from, to] = video.truth[0] as [number, number];
    expect(from).toBe(0);
    expect(to).toBeGreaterThanOrEqual(80);
    expect(to).toBeLessThan(100);
    expect(video.stream.map((e) => e.verb)).toEqual(['played']);
    expect(observableSegments(video.stream)).toEqual([]);
  });
});
