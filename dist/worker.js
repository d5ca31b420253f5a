import { createRequire as __xdlCreateRequire } from 'node:module';
const require = __xdlCreateRequire(import.meta.url);

// src/journeys/worker.ts
import { parentPort } from "node:worker_threads";

// src/formats/csv.ts
var NEEDS_QUOTES = /[",\r\n]/;
var quotedMemo = /* @__PURE__ */ new Map();
var QUOTED_MEMO_LIMIT = 5e4;
function csvField(value) {
  if (value === null) return "";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return String(value);
  if (!NEEDS_QUOTES.test(value)) return value;
  let quoted = quotedMemo.get(value);
  if (quoted === void 0) {
    quoted = `"${value.replaceAll('"', '""')}"`;
    if (quotedMemo.size < QUOTED_MEMO_LIMIT) quotedMemo.set(value, quoted);
  }
  return quoted;
}
function csvRow(values) {
  let line = "";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ",";
    line += csvField(values[i]);
  }
  return `${line}\r
`;
}

// src/journeys/time.ts
var US_PER_SECOND = 1e6;
var US_PER_DAY = 86400 * US_PER_SECOND;
var pad2 = (n) => n < 10 ? `0${n}` : String(n);
function parts(us) {
  const micros = (us % US_PER_SECOND + US_PER_SECOND) % US_PER_SECOND;
  const d = new Date((us - micros) / 1e3);
  return {
    date: `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`,
    clock: `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`,
    micros
  };
}
function formatBothTimes(us) {
  const p = parts(us);
  const micros = String(p.micros).padStart(6, "0");
  return {
    csv: `${p.date} ${p.clock}.${micros}`,
    statement: p.micros === 0 ? `${p.date}T${p.clock}+00:00` : `${p.date}T${p.clock}.${micros}+00:00`
  };
}
function formatCsvTime(us) {
  const p = parts(us);
  return `${p.date} ${p.clock}.${String(p.micros).padStart(6, "0")}`;
}

// src/journeys/oracle.ts
var METRICS = ["pages", "problems", "videos"];
var LABELS = {
  pages: ["No pages viewed yet", "At least one page viewed", "All pages viewed"],
  problems: ["No problems attempted yet", "At least one problem attempted", "All problems attempted"],
  videos: ["No videos viewed yet", "At least one video viewed", "All videos viewed"]
};
function statusLabel(metric, done, total) {
  const [none, some, all] = LABELS[metric];
  return done === 0 ? none : done === total ? all : some;
}
var EXPECTED_SCHEMA = {
  expected_engagement: {
    org: "String",
    course_key: "String",
    actor_id: "String",
    content_level: "String",
    block_id: "String",
    metric: "String",
    done: "UInt32",
    total: "UInt32",
    status: "String",
    done_truth: "UInt32",
    status_truth: "String"
  },
  expected_video_seconds: {
    org: "String",
    course_key: "String",
    actor_id: "String",
    video_block_id: "String",
    video_duration: "UInt32",
    truth_seconds: "UInt32",
    truth_distinct_seconds: "UInt32",
    observable_seconds: "UInt32",
    observable_distinct_seconds: "UInt32",
    observable_max_views: "UInt32"
  },
  expected_problem_results: {
    org: "String",
    course_key: "String",
    actor_id: "String",
    subsection_block_id: "String",
    problem_block_id: "String",
    graded: "UInt32",
    attempts: "UInt32",
    first_attempt_success: "UInt32",
    success: "UInt32",
    raw_score: "UInt32",
    max_score: "UInt32"
  },
  expected_enrollments: {
    org: "String",
    course_key: "String",
    actor_id: "String",
    username: "String",
    enrollment_mode: "String",
    enrolled_at: "String",
    learner_status: "String",
    last_activity_at: "String",
    pages_viewed: "UInt32",
    problems_attempted: "UInt32",
    problems_solved: "UInt32",
    videos_viewed: "UInt32"
  }
};
var EXPECTED_TABLES = Object.keys(EXPECTED_SCHEMA);
var EXPECTED_COLUMNS = {
  expected_engagement: Object.keys(EXPECTED_SCHEMA.expected_engagement),
  expected_video_seconds: Object.keys(EXPECTED_SCHEMA.expected_video_seconds),
  expected_problem_results: Object.keys(EXPECTED_SCHEMA.expected_problem_results),
  expected_enrollments: Object.keys(EXPECTED_SCHEMA.expected_enrollments)
};
function totalSeconds(segments) {
  let sum = 0;
  for (const [a, b] of segments) sum += b - a;
  return sum;
}
function distinctSeconds(segments) {
  let end = 0;
  for (const [, b] of segments) if (b > end) end = b;
  const covered = new Uint8Array(end + 1);
  let count = 0;
  for (const [a, b] of segments) {
    for (let n = a + 1; n <= b; n++) {
      if (covered[n] === 0) {
        covered[n] = 1;
        count += 1;
      }
    }
  }
  return count;
}
function maxViews(segments) {
  const deltas = [];
  for (const [a, b] of segments) {
    if (b <= a) continue;
    deltas.push([a + 1, 1], [b + 1, -1]);
  }
  deltas.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let current = 0;
  let best = 0;
  for (const [, d] of deltas) {
    current += d;
    if (current > best) best = current;
  }
  return best;
}
function observableSegments(stream) {
  const sorted = [...stream].sort(
    (a, b) => a.timeUs - b.timeUs || Number(a.verb === "played") - Number(b.verb === "played") || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
  const segments = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const cur = sorted[i];
    const next = sorted[i + 1];
    if (cur.verb === "played" && next.position > cur.position) {
      segments.push([Math.trunc(cur.position), Math.trunc(next.position)]);
    }
  }
  return segments;
}
function subsectionCounts(ss, r, videoDone) {
  const out = {
    pages: { done: 0, total: 0, truth: 0 },
    problems: { done: 0, total: 0, truth: 0 },
    videos: { done: 0, total: 0, truth: 0 }
  };
  for (const unit of ss.units) {
    out.pages.total += 1;
    if (r.viewedUnits.has(unit.block.location)) out.pages.done += 1;
    for (const p of unit.problems) {
      out.problems.total += 1;
      if (r.problems.has(p.location)) out.problems.done += 1;
    }
    for (const v of unit.videos) {
      out.videos.total += 1;
      const seen = videoDone.get(v.location);
      if (seen?.observable) out.videos.done += 1;
      if (seen?.truth) out.videos.truth += 1;
    }
  }
  out.pages.truth = out.pages.done;
  out.problems.truth = out.problems.done;
  return out;
}
function expectedRows(run, structure, r) {
  const actorId = r.actor.actorId;
  const rows = {
    expected_engagement: [],
    expected_video_seconds: [],
    expected_problem_results: [],
    expected_enrollments: []
  };
  const videoDone = /* @__PURE__ */ new Map();
  const videoRows = [];
  for (const [location, video] of [...r.videos].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) {
    const observable = observableSegments(video.stream);
    videoDone.set(location, { observable: observable.length > 0, truth: video.truth.length > 0 });
    videoRows.push([
      run.org,
      run.courseKey,
      actorId,
      location,
      video.block.lengthSeconds,
      totalSeconds(video.truth),
      distinctSeconds(video.truth),
      totalSeconds(observable),
      distinctSeconds(observable),
      maxViews(observable)
    ]);
  }
  rows.expected_video_seconds = videoRows;
  let totalUnits = 0;
  for (const section of structure.sections) {
    const sums = {
      pages: { done: 0, total: 0, truth: 0 },
      problems: { done: 0, total: 0, truth: 0 },
      videos: { done: 0, total: 0, truth: 0 }
    };
    for (const ss of section.subsections) {
      const counts = subsectionCounts(ss, r, videoDone);
      totalUnits += counts.pages.total;
      for (const metric of METRICS) {
        const c = counts[metric];
        sums[metric].done += c.done;
        sums[metric].total += c.total;
        sums[metric].truth += c.truth;
        if (c.total > 0)
          rows.expected_engagement.push(engagementRow(run, actorId, "subsection", ss.block.location, metric, c));
      }
      for (const unit of ss.units) {
        for (const p of unit.problems) {
          const truth = r.problems.get(p.location);
          if (!truth) continue;
          rows.expected_problem_results.push([
            run.org,
            run.courseKey,
            actorId,
            ss.block.location,
            p.location,
            p.graded ? 1 : 0,
            truth.attempts,
            truth.firstAttemptSuccess ? 1 : 0,
            truth.success ? 1 : 0,
            truth.rawScore,
            truth.maxScore
          ]);
        }
      }
    }
    for (const metric of METRICS) {
      const c = sums[metric];
      if (c.total > 0)
        rows.expected_engagement.push(engagementRow(run, actorId, "section", section.block.location, metric, c));
    }
  }
  let registeredAt = Number.POSITIVE_INFINITY;
  let lastActivity = Number.NEGATIVE_INFINITY;
  for (const e of r.events) {
    if (e.verb === "registered") registeredAt = Math.min(registeredAt, e.timeUs);
    else lastActivity = Math.max(lastActivity, e.timeUs);
  }
  let solved = 0;
  for (const p of r.problems.values()) if (p.success) solved += 1;
  let videosViewed = 0;
  for (const v of videoDone.values()) if (v.observable) videosViewed += 1;
  rows.expected_enrollments.push([
    run.org,
    run.courseKey,
    actorId,
    r.actor.username,
    r.mode,
    formatCsvTime(registeredAt),
    learnerStatus(lastActivity),
    lastActivity === Number.NEGATIVE_INFINITY ? "" : formatCsvTime(lastActivity),
    r.viewedUnits.size,
    r.problems.size,
    solved,
    videosViewed
  ]);
  return { rows, summary: { pagesViewed: r.viewedUnits.size, totalUnits } };
}
function learnerStatus(lastActivity) {
  return lastActivity === Number.NEGATIVE_INFINITY ? "registered only" : "active";
}
function engagementRow(run, actorId, level, blockId, metric, c) {
  return [
    run.org,
    run.courseKey,
    actorId,
    level,
    blockId,
    metric,
    c.done,
    c.total,
    statusLabel(metric, c.done, c.total),
    c.truth,
    statusLabel(metric, c.truth, c.total)
  ];
}

// src/generate/rng.ts
function mix32(x) {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 2246822507);
  h ^= h >>> 13;
  h = Math.imul(h, 3266489909);
  h ^= h >>> 16;
  return h >>> 0;
}
function hashInts(parts2, salt) {
  let h = mix32(salt ^ 2654435769);
  for (const part of parts2) {
    const lo = part >>> 0;
    const hi = Math.floor(part / 4294967296) >>> 0;
    h = mix32(h ^ lo) + 2135587861;
    h = mix32(h ^ hi ^ 374761393) + 668265263;
  }
  return mix32(h);
}
var Sfc32 = class {
  a;
  b;
  c;
  d;
  constructor(parts2) {
    this.a = hashInts(parts2, 1);
    this.b = hashInts(parts2, 2);
    this.c = hashInts(parts2, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }
  nextUint32() {
    const t = (this.a + this.b | 0) + this.d | 0;
    this.d = this.d + 1 | 0;
    this.a = this.b ^ this.b >>> 9;
    this.b = this.c + (this.c << 3) | 0;
    this.c = this.c << 21 | this.c >>> 11;
    this.c = this.c + t | 0;
    return t >>> 0;
  }
  next() {
    return this.nextUint32() / 4294967296;
  }
};
function createRng(seed) {
  for (const part of seed) {
    if (!Number.isSafeInteger(part) || part < 0) {
      throw new RangeError(`createRng: seed parts must be non-negative safe integers, got ${part}`);
    }
  }
  return new Sfc32(seed);
}
function randInt(rng, lo, hi) {
  return lo + Math.floor(rng.next() * (hi - lo + 1));
}
function pick(rng, items) {
  return items[Math.floor(rng.next() * items.length)];
}
var HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
var HEX_CODES = new Uint8Array([..."0123456789abcdef"].map((c) => c.charCodeAt(0)));
function nib(word, shift) {
  return HEX_CODES[word >>> shift & 15];
}
function formatUuid4(w0, w1, w2, w3) {
  const b = (w1 & 4294905855 | 16384) >>> 0;
  const c = (w2 & 1073741823 | 2147483648) >>> 0;
  return String.fromCharCode(
    nib(w0, 28),
    nib(w0, 24),
    nib(w0, 20),
    nib(w0, 16),
    nib(w0, 12),
    nib(w0, 8),
    nib(w0, 4),
    nib(w0, 0),
    45,
    nib(b, 28),
    nib(b, 24),
    nib(b, 20),
    nib(b, 16),
    45,
    nib(b, 12),
    nib(b, 8),
    nib(b, 4),
    nib(b, 0),
    45,
    nib(c, 28),
    nib(c, 24),
    nib(c, 20),
    nib(c, 16),
    45,
    nib(c, 12),
    nib(c, 8),
    nib(c, 4),
    nib(c, 0),
    nib(w3, 28),
    nib(w3, 24),
    nib(w3, 20),
    nib(w3, 16),
    nib(w3, 12),
    nib(w3, 8),
    nib(w3, 4),
    nib(w3, 0)
  );
}
function randUuid4(rng) {
  return formatUuid4(rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32());
}

// src/journeys/plan.ts
var JSTREAM = {
  actor: 101,
  course: 102,
  structure: 103,
  enrollment: 104,
  duplicate: 105,
  dump: 106,
  profile: 107,
  eventId: 108,
  sample: 109,
  runMeta: 110,
  recent: 111,
  externalId: 112
};
function buildActors(config) {
  const actors = [];
  for (let i = 0; i < config.numActors; i++) {
    const rng = createRng([config.seed, JSTREAM.actor, i]);
    const externalId = randUuid4(rng);
    const mbox = rng.next() < config.mboxActorFraction;
    const userId = config.firstUserId + i;
    const email = `journey_${userId}@example.com`;
    actors.push({
      index: i,
      externalId,
      userId,
      username: `journey_${userId}`,
      name: `Journey Learner ${userId}`,
      email,
      mbox,
      actorId: mbox ? `mailto:${email}` : externalId
    });
  }
  return actors;
}
function planJourneys(config) {
  const orgs = Array.from({ length: config.numOrganizations }, (_, i) => `${config.orgPrefix}${i}`);
  const runs = [];
  const windowUs = config.windowDays * US_PER_DAY;
  const lengthUs = config.courseLengthDays * US_PER_DAY;
  config.courses.forEach((spec2, entry) => {
    const template = config.templates[spec2.template];
    for (let course = 0; course < spec2.count; course++) {
      const rng = createRng([config.seed, JSTREAM.course, entry, course]);
      const org = pick(rng, orgs);
      const code = randUuid4(rng).slice(0, 6);
      const runCount = randInt(rng, spec2.runs[0], spec2.runs[1]);
      for (let run = 0; run < runCount; run++) {
        const meta = createRng([config.seed, JSTREAM.runMeta, entry, course, run]);
        const running = meta.next() < config.runningCourseFraction;
        const endUs = running ? config.nowUs : config.nowUs - Math.max(1, Math.round(meta.next() * (windowUs - lengthUs)));
        const withDeletedUnit = meta.next() < config.deletedUnitCourseFraction;
        const learnerCount = Math.min(randInt(meta, spec2.learners[0], spec2.learners[1]), config.numActors);
        const courseKey = `course-v1:${org}+${code}+run${run}`;
        runs.push({
          index: runs.length,
          key: [entry, course, run],
          org,
          code,
          courseKey,
          displayName: `${code} (${template.name})`,
          template,
          startUs: endUs - lengthUs,
          endUs,
          running,
          learnerCount,
          withDeletedUnit
        });
      }
    }
  });
  return { config, actors: buildActors(config), runs };
}
function weightedIndex(rng, weights) {
  let total = 0;
  for (const w of weights) total += w;
  let x = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i];
    if (x < 0 && weights[i] > 0) return i;
  }
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return 0;
}
function blockHex(rng) {
  return randUuid4(rng).replaceAll("-", "").slice(0, 16);
}
function buildStructure(config, run) {
  const rng = createRng([config.seed, JSTREAM.structure, ...run.key]);
  const t = run.template;
  const prefix = `block-v1:${run.org}+${run.code}+run${run.key[2]}`;
  const loc = (type) => `${prefix}+type@${type}+block@${blockHex(rng)}`;
  let order = 0;
  const make = (type, displayName, s2, ss, u, graded, lengthSeconds = 0) => ({
    type,
    location: loc(type),
    displayName,
    section: s2,
    subsection: ss,
    unit: u,
    graded,
    order: ++order,
    lengthSeconds
  });
  const courseBlock = {
    type: "course",
    location: `${prefix}+type@course+block@course`,
    displayName: run.displayName,
    section: 0,
    subsection: 0,
    unit: 0,
    graded: false,
    order: 0,
    lengthSeconds: 0
  };
  const blocks = [courseBlock];
  const sections = [];
  const chapters = randInt(rng, t.chapters[0], t.chapters[1]);
  for (let s2 = 1; s2 <= chapters; s2++) {
    const chapter = make("chapter", `Section ${s2}`, s2, 0, 0, false);
    blocks.push(chapter);
    const subsections = [];
    const seqs = randInt(rng, t.sequentialsPerChapter[0], t.sequentialsPerChapter[1]);
    for (let ss = 1; ss <= seqs; ss++) {
      const graded = rng.next() < t.gradedSequentialFraction;
      const sequential = make("sequential", `Subsection ${s2}.${ss}`, s2, ss, 0, graded);
      blocks.push(sequential);
      const units = [];
      const verts = randInt(rng, t.verticalsPerSequential[0], t.verticalsPerSequential[1]);
      for (let u = 1; u <= verts; u++) {
        const vertical = make("vertical", `Unit ${s2}.${ss}.${u}`, s2, ss, u, graded);
        blocks.push(vertical);
        const videoCount = weightedIndex(rng, t.videosPerVerticalWeights);
        const problemCount = weightedIndex(rng, t.problemsPerVerticalWeights);
        const videos = [];
        const problems = [];
        for (let k = 1; k <= videoCount; k++) {
          const length = randInt(rng, t.videoLength[0], t.videoLength[1]);
          videos.push(make("video", `Video ${s2}.${ss}.${u}.${k}`, s2, ss, u, graded, length));
        }
        for (let k = 1; k <= problemCount; k++)
          problems.push(make("problem", `Problem ${s2}.${ss}.${u}.${k}`, s2, ss, u, graded));
        blocks.push(...videos, ...problems);
        units.push({ block: vertical, videos, problems });
      }
      subsections.push({ block: sequential, units });
    }
    sections.push({ block: chapter, subsections });
  }
  let deletedUnit = null;
  const first = sections[0]?.subsections[0];
  if (run.withDeletedUnit && first) {
    const b = first.block;
    deletedUnit = make(
      "vertical",
      `Unit ${b.section}.${b.subsection}.${first.units.length + 1} (deleted)`,
      b.section,
      b.subsection,
      first.units.length + 1,
      b.graded
    );
  }
  return { courseBlock, sections, deletedUnit, blocks };
}
function sampleLearners(config, run) {
  const rng = createRng([config.seed, JSTREAM.sample, ...run.key]);
  const n = config.numActors;
  const swapped = /* @__PURE__ */ new Map();
  const out = [];
  for (let i = 0; i < run.learnerCount; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    const atJ = swapped.get(j) ?? j;
    const atI = swapped.get(i) ?? i;
    swapped.set(j, atI);
    out.push(atJ);
  }
  return out;
}

// src/config/types.ts
var BACKENDS = ["csv", "clickhouse", "ralph", "chdb", "vector"];
var ASPECTS_VERSIONS = ["7.0.0", "8.0.0"];
var DEFAULT_ASPECTS_VERSION = "8.0.0";

// src/config/suggest.ts
function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
function suggest(word, candidates) {
  const lowered = word.toLowerCase();
  let best = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lowered, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.min(3, Math.ceil(word.length / 2) - 1);
  return best !== null && bestDistance <= limit ? best : null;
}

// src/config/values.ts
var INVALID = /* @__PURE__ */ Symbol("invalid config value");
var MS_PER_DAY = 864e5;
function integerCheck(expected, min, max = Number.MAX_SAFE_INTEGER) {
  return {
    expected,
    parse: (value) => typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max ? value : INVALID
  };
}
var positiveInteger = integerCheck("a positive integer", 1);
var nonNegativeInteger = integerCheck("a non-negative integer", 0);
function integerInRange(min, max) {
  return integerCheck(`an integer from ${min} to ${max}`, min, max);
}
var seedInteger = integerCheck(
  `a non-negative safe integer (0 to ${Number.MAX_SAFE_INTEGER})`,
  0
);
var booleanValue = {
  expected: "true or false",
  parse: (value) => typeof value === "boolean" ? value : INVALID
};
function stringValue(options) {
  return {
    expected: options.allowEmpty ? "a string (quote it in YAML)" : "a non-empty string (quote it in YAML)",
    parse: (value) => typeof value === "string" && (options.allowEmpty || value !== "") ? value : INVALID
  };
}
function nullable(check) {
  return {
    expected: `${check.expected}, or null`,
    parse: (value) => value === null ? null : check.parse(value)
  };
}
function oneOf(choices) {
  return {
    expected: `one of ${choices.join(", ")}`,
    parse: (value) => typeof value === "string" && choices.includes(value) ? value : INVALID
  };
}
var IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
var identifier = {
  expected: "a ClickHouse identifier (letters, digits and _, not starting with a digit)",
  parse: (value) => typeof value === "string" && IDENTIFIER.test(value) ? value : INVALID
};
var ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
var calendarDay = {
  expected: "a date (YYYY-MM-DD)",
  parse: (value) => {
    if (value instanceof Date) {
      const ms2 = value.getTime();
      return Number.isFinite(ms2) && ms2 % MS_PER_DAY === 0 ? ms2 / MS_PER_DAY : INVALID;
    }
    if (typeof value !== "string") return INVALID;
    const match = ISO_DAY.exec(value);
    if (!match) return INVALID;
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const ms = Date.UTC(year, month - 1, day);
    const back = new Date(ms);
    if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
      return INVALID;
    }
    return ms / MS_PER_DAY;
  }
};
var UNSAFE_URL_CHARS = /["\\\s?#]|[^\x21-\x7e]/;
function parseUrl(value, protocols) {
  if (typeof value !== "string" || UNSAFE_URL_CHARS.test(value)) return null;
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== "" ? url : null;
  } catch {
    return null;
  }
}
var lmsBaseUrl = {
  expected: "an ASCII http(s) URL without quotes, backslashes, whitespace, query or fragment",
  parse: (value) => parseUrl(value, ["http:", "https:"]) ? value.replace(/\/+$/, "") : INVALID
};
var httpUrl = {
  expected: "an http(s) URL",
  parse: (value) => parseUrl(value, ["http:", "https:"]) ? value : INVALID
};
var clickhouseHost = {
  expected: "embedded, embedded:<dir>, container, container:<image>, or a host name or IP address (http:// or https:// allowed)",
  parse: (value) => {
    if (typeof value !== "string" || value.trim() === "") return INVALID;
    const text = value.trim();
    if (/^(embedded|container)(:|$)/.test(text)) return value;
    const host = text.replace(/^https?:\/\//i, "").replace(/\/+$/, "");
    return host === "" || /[/?#@\s]/.test(host) ? INVALID : value;
  }
};
function withTrailingSlash(value) {
  return value === "" || value.endsWith("/") ? value : `${value}/`;
}
var s3SourceLocation = {
  expected: "an https:// or s3:// URL of the folder holding the files",
  parse: (value) => parseUrl(value, ["http:", "https:", "s3:"]) ? withTrailingSlash(value) : INVALID
};
var outputDestination = {
  expected: "a local directory or s3://bucket/prefix/",
  parse: (value) => {
    if (typeof value !== "string" || value.trim() === "") return INVALID;
    if (value.startsWith("s3://")) {
      return parseUrl(value, ["s3:"]) ? withTrailingSlash(value) : INVALID;
    }
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) return INVALID;
    return withTrailingSlash(value);
  }
};
var s3BucketName = {
  expected: "an S3 bucket name (no s3:// and no /)",
  parse: (value) => typeof value === "string" && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value) ? value : INVALID
};
var s3KeyPrefix = {
  expected: 'a key prefix such as logs/run1/ (or "")',
  parse: (value) => typeof value === "string" ? withTrailingSlash(value) : INVALID
};
var portNumber = {
  expected: "a port number from 1 to 65535 (number or numeric string), or null",
  parse: (value) => {
    if (value === null) return null;
    const port2 = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    return typeof port2 === "number" && Number.isInteger(port2) && port2 >= 1 && port2 <= 65535 ? port2 : INVALID;
  }
};
var timeoutSeconds = {
  expected: "a positive number of seconds, or null for no timeout",
  parse: (value) => value === null ? null : typeof value === "number" && Number.isFinite(value) && value > 0 ? value : INVALID
};
var passwordOrEmpty = {
  expected: "a string (quote it in YAML), or null",
  parse: (value) => value === null ? "" : typeof value === "string" ? value : INVALID
};
var logDirectory = {
  expected: "a directory path, or null for no log file",
  parse: (value) => value === null ? "" : typeof value === "string" ? value : INVALID
};
var ASPECTS_DEFAULT_TTL = "toDateTime(emission_time) + INTERVAL 1 YEAR";
var ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]00:?00)?$/;
var nowInstant = {
  expected: "today, a date (YYYY-MM-DD) or a UTC instant such as 2026-11-15T00:00:00Z, or null",
  parse: (value) => {
    if (value === null) return null;
    if (value === "today") return Math.floor(Date.now() / MS_PER_DAY) * (MS_PER_DAY / 1e3);
    if (value instanceof Date) {
      const ms = value.getTime();
      return Number.isFinite(ms) && ms % 1e3 === 0 ? ms / 1e3 : INVALID;
    }
    if (typeof value !== "string") return INVALID;
    const m = ISO_INSTANT.exec(value);
    if (!m) return INVALID;
    const day = calendarDay.parse(`${m[1]}-${m[2]}-${m[3]}`);
    const [h, min, sec] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
    if (day === INVALID || h > 23 || min > 59 || sec > 59) return INVALID;
    return day * MS_PER_DAY / 1e3 + h * 3600 + min * 60 + sec;
  }
};
var TTL_TEXT = /^[A-Za-z0-9_ (),.+*/-]+$/;
var ttlExpression = {
  expected: `none, aspects (= ${ASPECTS_DEFAULT_TTL}) or a TTL expression over emission_time (letters, digits, spaces and ( ) , . + - * / only)`,
  parse: (value) => {
    if (value === null || value === "none") return null;
    if (value === "aspects") return ASPECTS_DEFAULT_TTL;
    if (typeof value !== "string") return INVALID;
    const text = value.trim().replace(/\s+/g, " ");
    return TTL_TEXT.test(text) && text.includes("emission_time") ? text : INVALID;
  }
};
var INTERVAL_SECONDS = {
  SECOND: 1,
  MINUTE: 60,
  HOUR: 3600,
  DAY: 86400,
  WEEK: 7 * 86400,
  MONTH: 28 * 86400,
  QUARTER: 89 * 86400,
  YEAR: 365 * 86400
};
var aspectsVersionValue = {
  expected: `one of ${ASPECTS_VERSIONS.join(", ")}`,
  parse: (value) => {
    if (typeof value !== "string") return INVALID;
    const bare = value.trim().replace(/^v/i, "");
    return ASPECTS_VERSIONS.includes(bare) ? bare : INVALID;
  },
  hint: (value) => {
    if (typeof value !== "string" && typeof value !== "number") return null;
    const bare = String(value).trim().replace(/^v/i, "");
    const major = /^(\d+)/.exec(bare)?.[1];
    const sameMajor = ASPECTS_VERSIONS.filter((v) => v.split(".")[0] === major);
    const wellFormed = /^\d+\.\d+\.\d+$/.test(bare);
    const guess = sameMajor.length > 0 ? sameMajor[sameMajor.length - 1] : wellFormed ? null : suggest(bare, ASPECTS_VERSIONS);
    const quote = typeof value === "number" ? "; quote it in YAML" : "";
    return guess ? `did you mean "${guess}"?${quote}` : null;
  }
};

// src/config/keys.ts
var REQUIRED = /* @__PURE__ */ Symbol("required config key");
function spec(value) {
  return value;
}
var SCALAR_KEYS = {
  backend: spec({
    key: "backend",
    check: oneOf(BACKENDS),
    default: REQUIRED,
    doc: "Where the data goes: gzipped CSV files, direct ClickHouse inserts, the Ralph LRS, Native files via chDB, or Vector log lines.",
    since: "1.0"
  }),
  numXapiBatches: spec({
    key: "num_xapi_batches",
    check: nonNegativeInteger,
    default: REQUIRED,
    doc: "Number of batches of random xAPI statements; the total is num_xapi_batches \xD7 batch_size (plus initial enrollments).",
    since: "2.0.0"
  }),
  batchSize: spec({
    key: "batch_size",
    check: positiveInteger,
    default: REQUIRED,
    doc: "Statements per batch: one ClickHouse insert, one Ralph POST or one Native file.",
    since: "1.0"
  }),
  numWorkers: spec({
    key: "num_workers",
    check: integerInRange(1, 64),
    default: 4,
    doc: "Generation worker threads; also the number of requests in flight for ClickHouse, Ralph and Vector.",
    since: "2.0.0"
  }),
  startDate: spec({
    key: "start_date",
    check: calendarDay,
    default: REQUIRED,
    doc: "First day of the overall window (inclusive, 00:00 UTC).",
    since: "1.0"
  }),
  endDate: spec({
    key: "end_date",
    check: calendarDay,
    default: REQUIRED,
    doc: "Last day of the overall window (exclusive, 00:00 UTC). Must be more than course_length_days after start_date.",
    since: "1.0"
  }),
  courseLengthDays: spec({
    key: "course_length_days",
    check: positiveInteger,
    default: REQUIRED,
    doc: "Length of every course run in days; runs are placed inside the window.",
    since: "1.0"
  }),
  now: spec({
    key: "now",
    check: nowInstant,
    default: null,
    doc: `The dataset's "now": today (UTC midnight of the run day) or a UTC instant. The start_date\u2026end_date window keeps its length and is moved to end at now, a share of learners is active in the hours and days before it, and reports bind now to it. null keeps the dates as written.`,
    since: "ts"
  }),
  ttl: spec({
    key: "ttl",
    check: ttlExpression,
    default: null,
    doc: "TTL of the xAPI tables Aspects puts one on (parsed, per-domain and last-visit tables): none, aspects (Tutor's default, toDateTime(emission_time) + INTERVAL 1 YEAR) or an expression. A window such a TTL would delete is refused.",
    since: "ts"
  }),
  aspectsVersion: spec({
    key: "aspects_version",
    check: aspectsVersionValue,
    default: DEFAULT_ASPECTS_VERSION,
    doc: 'The aspects-dbt release whose ClickHouse schema is created and whose models the reports read: 7.0.0 (Aspects 3.x main) or 8.0.0 (Aspects 6.x). Written with or without the "v".',
    since: "ts"
  }),
  numOrganizations: spec({
    key: "num_organizations",
    check: positiveInteger,
    default: REQUIRED,
    doc: "Number of organizations, named Org0 \u2026 Org{n-1}.",
    since: "1.0"
  }),
  numActors: spec({
    key: "num_actors",
    check: positiveInteger,
    default: REQUIRED,
    doc: "Size of the learner pool courses enroll from.",
    since: "1.0"
  }),
  numActorProfileChanges: spec({
    key: "num_actor_profile_changes",
    check: positiveInteger,
    default: 1,
    doc: "How many user_profile rows each learner gets, as if they edited their profile that many times.",
    since: "1.5.0"
  }),
  numCoursePublishes: spec({
    key: "num_course_publishes",
    check: positiveInteger,
    default: 1,
    doc: "How many times each course is published: each publish dumps its overview, blocks and object tags again.",
    since: "1.5.0"
  }),
  lmsUrl: spec({
    key: "lms_url",
    check: lmsBaseUrl,
    default: "http://localhost:18000",
    doc: "Base URL of the LMS in actor home pages, course URLs and block ids. A trailing slash is removed.",
    since: "3.2.0"
  }),
  seed: spec({
    key: "seed",
    check: seedInteger,
    default: 1,
    doc: "Seed of the pseudo-random generator: the same seed and config give byte-identical data.",
    since: "ts"
  }),
  logDir: spec({
    key: "log_dir",
    check: logDirectory,
    default: "logs",
    doc: 'Directory for db_load.log; null or "" writes no log file.',
    since: "1.0"
  }),
  logMaxBytes: spec({
    key: "log_max_bytes",
    check: nonNegativeInteger,
    default: 10485760,
    doc: "Size at which db_load.log is rotated; 0 never rotates.",
    since: "3.2.0"
  }),
  logBackupCount: spec({
    key: "log_backup_count",
    check: nonNegativeInteger,
    default: 5,
    doc: "Rotated log files kept (db_load.log.1 \u2026 .n).",
    since: "3.2.0"
  }),
  csvOutputDestination: spec({
    key: "csv_output_destination",
    check: nullable(outputDestination),
    default: null,
    doc: "Folder the csv backend writes its .csv.gz files to: a local directory or s3://bucket/prefix/. Required by the csv backend.",
    since: "1.0"
  }),
  csvGzipLevel: spec({
    key: "csv_gzip_level",
    check: integerInRange(1, 9),
    default: 3,
    doc: "gzip level of the CSV files, 1 (fastest) to 9 (smallest). 3 measured as fast as 1 with smaller files; 6 is about 2x slower, 9 slower still (the original tool used 9).",
    since: "ts"
  }),
  loadFromS3After: spec({
    key: "load_from_s3_after",
    check: booleanValue,
    default: false,
    doc: "csv: load each file into ClickHouse from s3_source_location once written. chdb: load each Native file while generation continues.",
    since: "2.0.0"
  }),
  s3SourceLocation: spec({
    key: "s3_source_location",
    check: nullable(s3SourceLocation),
    default: null,
    doc: "URL ClickHouse reads the CSV files from (https://bucket.s3.amazonaws.com/prefix/); a trailing / is added. Required when the csv backend loads from S3.",
    since: "1.0"
  }),
  s3Bucket: spec({
    key: "s3_bucket",
    check: nullable(s3BucketName),
    default: null,
    doc: "chdb: bucket the Native files are written to.",
    since: "2.0.0"
  }),
  s3Prefix: spec({
    key: "s3_prefix",
    check: nullable(s3KeyPrefix),
    default: null,
    doc: "chdb: key prefix of the Native files; a trailing / is added.",
    since: "2.0.0"
  }),
  s3Key: spec({
    key: "s3_key",
    check: nullable(stringValue({ allowEmpty: true })),
    default: null,
    doc: "S3 access key id, for writing files and for ClickHouse s3() reads.",
    since: "1.0"
  }),
  s3Secret: spec({
    key: "s3_secret",
    check: nullable(stringValue({ allowEmpty: true })),
    default: null,
    doc: "S3 secret access key. Prefer the XAPI_DB_LOAD_AWS_SECRET_ACCESS_KEY environment variable.",
    since: "1.0",
    secret: true
  }),
  s3Endpoint: spec({
    key: "s3_endpoint",
    check: nullable(httpUrl),
    default: null,
    doc: "Endpoint of an S3-compatible store (MinIO, s3rver); when set, path-style addressing is used.",
    since: "ts"
  }),
  s3Region: spec({
    key: "s3_region",
    check: stringValue({ allowEmpty: false }),
    default: "us-east-1",
    doc: "S3 region used to sign requests.",
    since: "ts"
  }),
  dbHost: spec({
    key: "db_host",
    check: clickhouseHost,
    default: "localhost",
    doc: "ClickHouse to use: a host name (an existing server), `embedded` (the in-process engine, in memory), `embedded:<dir>` (in-process, data kept in <dir>), or `container[:image]` (a Docker container).",
    since: "1.0"
  }),
  dbPort: spec({
    key: "db_port",
    check: portNumber,
    default: 18123,
    doc: "ClickHouse HTTP port; a port ending in 443 or 440 means https. null uses the client default.",
    since: "1.0"
  }),
  dbUsername: spec({
    key: "db_username",
    check: stringValue({ allowEmpty: false }),
    default: "default",
    doc: "ClickHouse user.",
    since: "1.0"
  }),
  dbPassword: spec({
    key: "db_password",
    check: passwordOrEmpty,
    default: "",
    doc: "ClickHouse password. Prefer the XAPI_DB_LOAD_CLICKHOUSE_PASSWORD environment variable.",
    since: "1.0",
    secret: true
  }),
  dbConnectTimeout: spec({
    key: "db_connect_timeout",
    check: timeoutSeconds,
    default: 10,
    doc: "Seconds a ClickHouse server may take to answer the first query before the run fails as unreachable; null waits as long as any request (300 s).",
    since: "ts"
  }),
  dbName: spec({
    key: "db_name",
    check: identifier,
    default: "xapi",
    doc: "Database of the xAPI table (honoured, unlike the original 2.x/3.x which hard-coded xapi).",
    since: "1.0"
  }),
  dbEventSinkName: spec({
    key: "db_event_sink_name",
    check: identifier,
    default: "event_sink",
    doc: "Database of the event-sink tables (honoured, unlike the original 2.x/3.x which hard-coded event_sink).",
    since: "1.0"
  }),
  eventRawTableName: spec({
    key: "event_raw_table_name",
    check: identifier,
    default: "xapi_events_all",
    doc: "Raw xAPI table in db_name.",
    since: "1.0"
  }),
  eventTableName: spec({
    key: "event_table_name",
    check: identifier,
    default: "xapi_events_all_parsed",
    doc: "Parsed xAPI table the 1.x tool counted rows in; accepted for compatibility.",
    since: "1.0"
  }),
  lrsUrl: spec({
    key: "lrs_url",
    check: nullable(httpUrl),
    default: null,
    doc: "Ralph statements endpoint, e.g. http://localhost:8100/xAPI/statements. Required by the ralph backend.",
    since: "1.0"
  }),
  lrsUsername: spec({
    key: "lrs_username",
    check: nullable(stringValue({ allowEmpty: false })),
    default: null,
    doc: "Ralph basic-auth user. Required by the ralph backend.",
    since: "1.0"
  }),
  lrsPassword: spec({
    key: "lrs_password",
    check: nullable(stringValue({ allowEmpty: true })),
    default: null,
    doc: "Ralph basic-auth password. Required by the ralph backend. Prefer the XAPI_DB_LOAD_RALPH_PASSWORD environment variable.",
    since: "1.0",
    secret: true
  }),
  lrsRequestTimeout: spec({
    key: "lrs_request_timeout",
    check: timeoutSeconds,
    default: 120,
    doc: "Timeout of one Ralph request in seconds; null waits forever.",
    since: "3.2.0"
  }),
  lrsMaxRetries: spec({
    key: "lrs_max_retries",
    check: integerInRange(0, 100),
    default: 5,
    doc: "Retries of one Ralph request after 429, 5xx, a timeout or a network error (exponential backoff with jitter), before the run fails.",
    since: "ts"
  }),
  ralphSendEnrollments: spec({
    key: "ralph_send_enrollments",
    check: booleanValue,
    default: false,
    doc: "ralph backend: also POST the initial enrollments to Ralph. By default they go straight to ClickHouse, as the original 2.x/3.x did.",
    since: "ts"
  }),
  vectorOutput: spec({
    key: "vector_output",
    check: stringValue({ allowEmpty: false }),
    default: "-",
    doc: 'vector backend: where statement log lines go, "-" for stdout or a file path. Progress never goes there.',
    since: "ts"
  }),
  dbReportingName: spec({
    key: "db_reporting_name",
    check: identifier,
    default: "reporting",
    doc: "Database of Aspects' dbt models (reporting materialized views and views).",
    since: "ts"
  }),
  initSchema: spec({
    key: "init_schema",
    check: nullable(booleanValue),
    default: null,
    doc: "Create the Aspects schema (idempotent) before loading. null: yes for the embedded engine and containers, no for an existing server.",
    since: "ts"
  }),
  optimizeFinal: spec({
    key: "optimize_final",
    check: booleanValue,
    default: true,
    doc: "Run OPTIMIZE \u2026 FINAL on the ReplacingMergeTree tables after a load, so report queries give deterministic answers.",
    since: "ts"
  }),
  xapiLoadOrder: spec({
    key: "xapi_load_order",
    check: oneOf(["chronological", "generation"]),
    default: "chronological",
    doc: 'chronological: xAPI reaches the raw table (and its materialized views) in time order, as in production; generation: as generated (faster, MV "most recent" results may differ).',
    since: "ts"
  }),
  dbCluster: spec({
    key: "db_cluster",
    check: nullable(identifier),
    default: null,
    doc: "ClickHouse cluster name; bulk loads from S3 then use s3Cluster() so every node reads a share.",
    since: "ts"
  }),
  shardIndex: spec({
    key: "shard_index",
    check: nonNegativeInteger,
    default: 0,
    doc: "This run generates slice shard_index of shard_count of the random xAPI batches (also --shard i/n). Shard 0 also writes the event-sink tables and enrollments.",
    since: "ts"
  }),
  shardCount: spec({
    key: "shard_count",
    check: positiveInteger,
    default: 1,
    doc: "Number of slices the random xAPI batches are split into; n machines with shard_index 0\u2026n\u22121 together write exactly the one-machine dataset.",
    since: "ts"
  }),
  nativeOutputDestination: spec({
    key: "native_output_destination",
    check: nullable(outputDestination),
    default: null,
    doc: "chdb backend: where LZ4 Native files are written, a local directory or s3://bucket/prefix/. Default: s3://{s3_bucket}/{s3_prefix} as the original.",
    since: "ts"
  })
};
var COURSE_SIZE_KEYS = {
  numCourseSizes: {
    key: "num_course_sizes",
    doc: "Mapping of size name \u2192 number of courses of that size. Courses are created in this order.",
    since: "1.0"
  },
  courseSizeMakeup: {
    key: "course_size_makeup",
    doc: "Mapping of size name \u2192 what a course of that size contains. Entries not named in num_course_sizes are ignored.",
    since: "1.0"
  }
};
var MAKEUP_FIELDS = {
  actors: {
    key: "actors",
    check: positiveInteger,
    doc: "Enrollments per course, drawn with replacement from the learner pool; at most num_actors."
  },
  problems: { key: "problems", check: positiveInteger, doc: "Problem blocks per course." },
  videos: { key: "videos", check: positiveInteger, doc: "Video blocks per course." },
  chapters: { key: "chapters", check: positiveInteger, doc: "Chapter (section) blocks per course." },
  sequences: { key: "sequences", check: positiveInteger, doc: "Sequential (subsection) blocks per course." },
  verticals: { key: "verticals", check: nonNegativeInteger, doc: "Vertical (unit) blocks per course." },
  forumPosts: { key: "forum_posts", check: positiveInteger, doc: "Forum threads per course." }
};
var LEGACY_ALIASES = [
  { kind: "key", legacy: "num_batches", current: "num_xapi_batches", until: "1.5.0" },
  // The original 2.x/3.x silently ignored this key although its own default config still set it
  // (quirk Q8); we honour it.
  { kind: "key", legacy: "csv_load_from_s3_after", current: "load_from_s3_after", until: "1.5.0" },
  { kind: "value", key: "backend", legacy: "csv_file", current: "csv", until: "1.5.0" },
  { kind: "value", key: "backend", legacy: "ralph_clickhouse", current: "ralph", until: "1.5.0" }
];
var IGNORED_KEYS = [
  { key: "config_file", doc: "Written into the config by the original tool itself; ignored.", since: "2.0.0" }
];
function defaultText(value) {
  if (value === REQUIRED) return "required";
  if (value === null) return "null";
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
function buildKeyDocs() {
  const docs = [];
  const scalarSpecs = Object.values(SCALAR_KEYS);
  for (const s2 of scalarSpecs) {
    docs.push({
      key: s2.key,
      type: s2.check.expected,
      default: defaultText(s2.default),
      doc: s2.doc,
      since: s2.since,
      ...s2.secret ? { secret: true } : {}
    });
  }
  docs.push({
    key: COURSE_SIZE_KEYS.numCourseSizes.key,
    type: "a mapping of size name to a non-negative integer",
    default: "required",
    doc: COURSE_SIZE_KEYS.numCourseSizes.doc,
    since: COURSE_SIZE_KEYS.numCourseSizes.since
  });
  const fields = Object.values(MAKEUP_FIELDS).map((f) => f.key);
  docs.push({
    key: COURSE_SIZE_KEYS.courseSizeMakeup.key,
    type: `a mapping of size name to a mapping of ${fields.join(", ")}`,
    default: "required",
    doc: COURSE_SIZE_KEYS.courseSizeMakeup.doc,
    since: COURSE_SIZE_KEYS.courseSizeMakeup.since
  });
  for (const alias of LEGACY_ALIASES) {
    if (alias.kind !== "key") continue;
    docs.push({
      key: alias.legacy,
      type: `as ${alias.current}`,
      default: "\u2014",
      doc: `Legacy spelling of ${alias.current} (up to ${alias.until}).`,
      since: "1.0",
      deprecated: alias.current
    });
  }
  for (const ignored of IGNORED_KEYS) {
    docs.push({ key: ignored.key, type: "anything", default: "\u2014", doc: ignored.doc, since: ignored.since });
  }
  return docs;
}
var KEY_DOCS = Object.freeze(buildKeyDocs().map((d) => Object.freeze(d)));
var ACCEPTED_KEYS = new Set(KEY_DOCS.map((d) => d.key));
var SUGGESTABLE_KEYS = KEY_DOCS.filter(
  (d) => !IGNORED_KEYS.some((i) => i.key === d.key)
).map((d) => d.key);

// src/journeys/config-types.ts
var VIDEO_ACTIONS = ["to_end", "pause", "seek", "abandon", "terminate"];
var DEFAULT_BEHAVIOR = Object.freeze({
  startProb: 0.8,
  completerFraction: 0.15,
  continueProb: 0.9,
  unitSkipProb: 0.08,
  revisitProb: 0.05,
  exitWithoutNavProb: 0.7,
  problemAttemptProb: 0.8,
  maxAttempts: 3,
  videoWatchProb: 0.75,
  secondSessionProb: 0.15,
  daysBetweenSubsections: 2,
  videoActions: Object.freeze({ to_end: 0.35, pause: 0.25, seek: 0.15, abandon: 0.1, terminate: 0.15 }),
  resumeAfterPauseProb: 0.6,
  recentActivityFraction: 0.05,
  recentHours: 12,
  sameTimeResumeProb: 0,
  duplicateEventProb: 0,
  problemSuccessProbs: Object.freeze([0.6, 0.8, 1]),
  maxScore: Object.freeze([1, 10])
});

// src/journeys/simulate.ts
var ENROLLMENT_MODES = ["audit", "honor", "verified"];
var s = (seconds) => seconds * US_PER_SECOND;
var pyf = (n) => Number.isInteger(n) ? `${n}.0` : String(n);
function chooseAction(rng, actions) {
  let total = 0;
  for (const a of VIDEO_ACTIONS) total += actions[a];
  let x = rng.next() * total;
  for (const a of VIDEO_ACTIONS) {
    x -= actions[a];
    if (x < 0 && actions[a] > 0) return a;
  }
  return VIDEO_ACTIONS.findLast((a) => actions[a] > 0) ?? "to_end";
}
var Journey = class {
  t = 0;
  events = [];
  viewedUnits = /* @__PURE__ */ new Set();
  problems = /* @__PURE__ */ new Map();
  videos = /* @__PURE__ */ new Map();
  sameInstantResumes = 0;
  b;
  rng;
  ids;
  dups;
  nowUs;
  constructor(rng, ids, dups, nowUs, config) {
    this.rng = rng;
    this.ids = ids;
    this.dups = dups;
    this.nowUs = nowUs;
    this.b = config.behavior;
  }
  coin(p) {
    return this.rng.next() < p;
  }
  /** Emits at time `at` unless it is after now; returns the event or null. */
  emit(at, verb2, object, values) {
    if (at > this.nowUs) return null;
    const event = {
      timeUs: at,
      id: randUuid4(this.ids),
      verb: verb2,
      object,
      values,
      duplicated: this.dups.next() < this.b.duplicateEventProb
    };
    this.events.push(event);
    return event;
  }
  navigate(units, from, ending) {
    const unit = units[from];
    const event = this.emit(this.t, "navigated", unit.block.location, {
      startingPosition: String(from + 1),
      endingPoint: ending,
      totalItems: String(units.length)
    });
    if (event) this.viewedUnits.add(unit.block.location);
  }
  subsection(units, stopping) {
    let u = 0;
    const n = units.length;
    while (u < n) {
      this.workUnit(units[u]);
      const final = u === n - 1;
      if (final && stopping && this.coin(this.b.exitWithoutNavProb)) return;
      this.t += s(randInt(this.rng, 2, 20));
      if (!final && u > 0 && this.coin(this.b.revisitProb)) {
        this.navigate(units, u, "previous unit");
        this.t += s(randInt(this.rng, 10, 120));
        this.navigate(units, u - 1, "next unit");
        this.t += s(randInt(this.rng, 2, 20));
      }
      if (!final && u + 2 < n && this.coin(this.b.unitSkipProb)) {
        this.navigate(units, u, String(u + 3));
        u += 2;
      } else {
        this.navigate(units, u, "next unit");
        u += 1;
      }
    }
  }
  workUnit(unit) {
    this.t += s(randInt(this.rng, 15, 240));
    for (const video of unit.videos) {
      if (this.t > this.nowUs) return;
      if (this.coin(this.b.videoWatchProb)) {
        this.videoSession(video);
        if (this.coin(this.b.secondSessionProb)) {
          this.t += s(300);
          this.videoSession(video);
        }
      }
    }
    for (const problem of unit.problems) {
      if (this.t > this.nowUs) return;
      if (this.coin(this.b.problemAttemptProb)) this.attempts(problem);
    }
  }
  attempts(block) {
    const maxScore = randInt(this.rng, this.b.maxScore[0], this.b.maxScore[1]);
    const n = randInt(this.rng, 1, this.b.maxAttempts);
    const curve = this.b.problemSuccessProbs;
    for (let a = 1; a <= n; a++) {
      this.t += s(randInt(this.rng, 20, 300));
      if (this.t > this.nowUs) return;
      const success = this.coin(curve[Math.min(a, curve.length) - 1]);
      const raw2 = success ? maxScore : randInt(this.rng, 0, maxScore - 1);
      this.emit(this.t, "attempted", block.location, {});
      this.t += s(1);
      const evaluated = this.emit(this.t, "evaluated", block.location, {
        attemptId: String(a),
        response: success ? "A correct answer" : "An incorrect answer",
        scaled: String(raw2 / maxScore),
        scoreRaw: String(raw2),
        scoreMax: String(maxScore),
        success: success ? "true" : "false"
      });
      if (evaluated) {
        let truth = this.problems.get(block.location);
        if (!truth) {
          truth = { block, attempts: 0, firstAttemptSuccess: success, success, rawScore: raw2, maxScore };
          this.problems.set(block.location, truth);
        }
        truth.attempts += 1;
        truth.success = success;
        truth.rawScore = raw2;
      }
      if (success) return;
    }
  }
  videoEvent(video, at, verb2, position, values) {
    const event = this.emit(at, verb2, video.block.location, { length: pyf(video.block.lengthSeconds), ...values });
    if (event && verb2 !== "initialized") video.stream.push({ timeUs: at, id: event.id, verb: verb2, position });
    return event;
  }
  videoSession(block) {
    let video = this.videos.get(block.location);
    if (!video) {
      video = { block, truth: [], stream: [] };
      this.videos.set(block.location, video);
    }
    if (this.t > this.nowUs) return;
    const length = block.lengthSeconds;
    const threshold = Math.ceil(0.95 * length);
    this.videoEvent(video, this.t, "initialized", 0, {});
    this.t += s(randInt(this.rng, 1, 10));
    let pos = 0;
    this.videoEvent(video, this.t, "played", 0, { time: pyf(0) });
    let completedSent = false;
    for (; ; ) {
      const action = chooseAction(this.rng, this.b.videoActions);
      const stop = action === "to_end" || length - pos <= 5 ? length : randInt(this.rng, pos + 1, length - 1);
      const startT = this.t;
      this.t = startT + s(stop - pos);
      const playedUpToNow = this.nowUs === Number.POSITIVE_INFINITY ? stop - pos : Math.floor((this.nowUs - startT) / US_PER_SECOND);
      const played = Math.min(stop - pos, playedUpToNow);
      if (played > 0) video.truth.push([pos, pos + played]);
      if (!completedSent && stop >= threshold) {
        completedSent = true;
        const at = Math.min(startT + Math.round((Math.max(threshold - pos, 0) + 0.25) * US_PER_SECOND), this.t - 1e3);
        this.videoEvent(video, at, "completed", length, { time: pyf(length) });
      }
      if (this.t > this.nowUs) return;
      if (stop === length) {
        this.videoEvent(video, this.t, "terminated", length, { time: pyf(length) });
        return;
      }
      if (action === "abandon") return;
      if (action === "terminate") {
        this.videoEvent(video, this.t, "terminated", stop, { time: pyf(stop) });
        return;
      }
      if (action === "pause") {
        const pausedAt = this.t;
        this.videoEvent(video, this.t, "paused", stop, { time: pyf(stop) });
        if (!this.coin(this.b.resumeAfterPauseProb)) return;
        if (!this.coin(this.b.sameTimeResumeProb)) this.t += s(randInt(this.rng, 2, 120));
        pos = stop;
        const play = this.videoEvent(video, this.t, "played", pos, { time: pyf(pos) });
        if (play && this.t === pausedAt) this.sameInstantResumes += 1;
        continue;
      }
      const target = randInt(this.rng, 0, length - 1);
      this.videoEvent(video, this.t, "seeked", stop, { timeFrom: pyf(stop), timeTo: pyf(target) });
      this.t += s(1);
      pos = target;
      this.videoEvent(video, this.t, "played", pos, { time: pyf(pos) });
    }
  }
};
function runJourney(config, run, structure, actor, nowUs, courseUrl) {
  const key = [config.seed, JSTREAM.enrollment, ...run.key, actor.index];
  const rng = createRng(key);
  const journey = new Journey(
    rng,
    createRng([config.seed, JSTREAM.eventId, ...run.key, actor.index]),
    createRng([config.seed, JSTREAM.duplicate, ...run.key, actor.index]),
    nowUs,
    config
  );
  const b = config.behavior;
  const enrollUs = run.startUs + Math.floor((run.endUs - run.startUs) * rng.next() * 0.6);
  const mode = pick(rng, ENROLLMENT_MODES);
  journey.emit(enrollUs, "registered", courseUrl, { mode });
  if (!journey.coin(b.startProb)) return { journey, mode, started: false };
  const completer = journey.coin(b.completerFraction);
  journey.t = enrollUs + randInt(rng, 1, 600) * 60 * US_PER_SECOND;
  const subsections = structure.sections.flatMap((section) => section.subsections);
  for (let i = 0; i < subsections.length; i++) {
    if (journey.t > nowUs) break;
    const stopping = i === subsections.length - 1 || !completer && !journey.coin(b.continueProb);
    journey.subsection(subsections[i].units, stopping);
    if (stopping) break;
    journey.t += Math.round(-Math.log(1 - rng.next()) * b.daysBetweenSubsections * US_PER_DAY);
  }
  return { journey, mode, started: true };
}
function simulateEnrollment(config, run, structure, actor, courseUrl) {
  const recentRng = createRng([config.seed, JSTREAM.recent, ...run.key, actor.index]);
  const wantsRecent = run.running && recentRng.next() < config.behavior.recentActivityFraction;
  const targetLatest = config.nowUs - Math.round(recentRng.next() * config.behavior.recentHours * 3600 * US_PER_SECOND);
  if (wantsRecent) {
    const open = runJourney(config, run, structure, actor, Number.POSITIVE_INFINITY, courseUrl);
    const events = open.journey.events;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const e of events) {
      if (e.timeUs < first) first = e.timeUs;
      if (e.timeUs > last) last = e.timeUs;
    }
    const offset = targetLatest - last;
    if (first + offset >= run.startUs) {
      for (const e of events) e.timeUs += offset;
      for (const v of open.journey.videos.values()) for (const e of v.stream) e.timeUs += offset;
      return result(actor, open, true);
    }
  }
  return result(actor, runJourney(config, run, structure, actor, config.nowUs, courseUrl), false);
}
function result(actor, sim, recent) {
  const j = sim.journey;
  return {
    actor,
    mode: sim.mode,
    events: j.events,
    viewedUnits: j.viewedUnits,
    problems: j.problems,
    videos: j.videos,
    started: sim.started,
    recent,
    sameInstantResumes: j.sameInstantResumes
  };
}

// src/generate/template.ts
var SLOT_MARK = /* @__PURE__ */ Symbol("slot");
var FLOAT_MARK = /* @__PURE__ */ Symbol("float");
function str(name) {
  return { [SLOT_MARK]: true, name, quoted: true };
}
function raw(name) {
  return { [SLOT_MARK]: true, name, quoted: false };
}
function pyFloat(value) {
  return { [FLOAT_MARK]: true, value };
}
function isSlot(value) {
  return typeof value === "object" && value !== null && SLOT_MARK in value;
}
function isPyFloat(value) {
  return typeof value === "object" && value !== null && FLOAT_MARK in value;
}
var SMALL_WHOLE_FLOATS = Array.from({ length: 1024 }, (_, i) => `${i}.0`);
function formatPyFloat(value) {
  if (!Number.isFinite(value)) throw new RangeError(`formatPyFloat: ${value} is not finite`);
  if (!Number.isInteger(value)) return String(value);
  return value >= 0 && value < SMALL_WHOLE_FLOATS.length ? SMALL_WHOLE_FLOATS[value] : `${value}.0`;
}
var compiledTemplates = 0;
function compileTemplate(template) {
  const segments = [];
  const slotNames = [];
  const quoted = [];
  let current = "";
  const emit = (value) => {
    if (isSlot(value)) {
      if (value.quoted) current += '"';
      segments.push(current);
      slotNames.push(value.name);
      quoted.push(value.quoted);
      current = value.quoted ? '"' : "";
      return;
    }
    if (isPyFloat(value)) {
      current += formatPyFloat(value.value);
      return;
    }
    if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") {
      current += JSON.stringify(value).replace(
        /[\u007f-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
      );
      return;
    }
    if (Array.isArray(value)) {
      current += "[";
      value.forEach((item, i) => {
        if (i > 0) current += ", ";
        emit(item);
      });
      current += "]";
      return;
    }
    const entries = Object.entries(value);
    current += "{";
    entries.forEach(([key, item], i) => {
      if (i > 0) current += ", ";
      current += `${JSON.stringify(key)}: `;
      emit(item);
    });
    current += "}";
  };
  emit(template);
  segments.push(current);
  const names = /* @__PURE__ */ new Set();
  for (const name of slotNames) {
    if (names.has(name)) throw new Error(`compileTemplate: slot "${name}" appears twice`);
    names.add(name);
  }
  return {
    id: compiledTemplates++,
    slotNames,
    quoted,
    jsonSegments: segments,
    csvSegments: segments.map((s2) => s2.replaceAll('"', '""'))
  };
}
function render(template, values, encoding) {
  const segments = encoding === "json" ? template.jsonSegments : template.csvSegments;
  let out = segments[0];
  for (let i = 0; i < values.length; i++) {
    out += values[i] + segments[i + 1];
  }
  return out;
}

// src/generate/statements/common.ts
var XAPI_VERSION = "1.0.3";
var DEMO_COURSE_NAME = "Demonstration Course";
var COURSE_ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/course";
var EVENT_VERSION_EXT = "https://github.com/openedx/event-routing-backends/blob/master/docs/xapi-extensions/eventVersion.rst";
var TRANSFORMER_VERSION_EXT = "https://w3id.org/xapi/openedx/extension/transformer-version";
var SESSION_ID_EXT = "https://w3id.org/xapi/openedx/extensions/session-id";
var TRANSFORMER_VERSION = "event-routing-backends@7.0.1";
var SESSION_ID = "e4858858443cd99828206e294587dac5";
var ACTOR_TYPE_FIRST = {
  objectType: "Agent",
  account: { homePage: str("homePage"), name: str("actor") }
};
var ACTOR_ACCOUNT_FIRST = {
  account: { homePage: str("homePage"), name: str("actor") },
  objectType: "Agent"
};
var COURSE_PARENT = {
  parent: [
    {
      id: str("courseUrl"),
      objectType: "Activity",
      definition: { name: { "en-US": DEMO_COURSE_NAME }, type: COURSE_ACTIVITY_TYPE }
    }
  ]
};
function verb(id, display) {
  return { display: { en: display }, id };
}
var ACROSSX_TYPE_EXT = "https://w3id.org/xapi/acrossx/extensions/type";
var TRANSFORMER_SESSION_EXTENSIONS = {
  [TRANSFORMER_VERSION_EXT]: TRANSFORMER_VERSION,
  [SESSION_ID_EXT]: SESSION_ID
};
var SCORE = {
  scaled: raw("scaled"),
  raw: raw("scoreRaw"),
  min: pyFloat(0),
  max: raw("scoreMax")
};

// src/journeys/statements.ts
var VERB = {
  registered: "http://adlnet.gov/expapi/verbs/registered",
  navigated: "https://w3id.org/xapi/dod-isd/verbs/navigated",
  attempted: "http://adlnet.gov/expapi/verbs/attempted",
  evaluated: "https://w3id.org/xapi/acrossx/verbs/evaluated",
  initialized: "http://adlnet.gov/expapi/verbs/initialized",
  played: "https://w3id.org/xapi/video/verbs/played",
  paused: "https://w3id.org/xapi/video/verbs/paused",
  seeked: "https://w3id.org/xapi/video/verbs/seeked",
  completed: "http://adlnet.gov/expapi/verbs/completed",
  terminated: "http://adlnet.gov/expapi/verbs/terminated"
};
var EXT = {
  time: "https://w3id.org/xapi/video/extensions/time",
  timeFrom: "https://w3id.org/xapi/video/extensions/time-from",
  timeTo: "https://w3id.org/xapi/video/extensions/time-to",
  length: "https://w3id.org/xapi/video/extensions/length",
  attemptId: "http://id.tincanapi.com/extension/attempt-id",
  endingPoint: "http://id.tincanapi.com/extension/ending-point",
  startingPosition: "http://id.tincanapi.com/extension/starting-position",
  totalItems: "https://w3id.org/xapi/acrossx/extensions/total-items"
};
var INTERACTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction";
var VIDEO_TYPE = "https://w3id.org/xapi/video/activity-type/video";
var RESOURCE_TYPE = "http://id.tincanapi.com/activitytype/resource";
var QUESTION_TEXT = "Add the question text, or prompt, here.";
var ACCOUNT_ACTOR = {
  objectType: "Agent",
  account: { homePage: str("homePage"), name: str("actor") }
};
var MBOX_ACTOR = { objectType: "Agent", mbox: str("actor") };
function head(actor, name) {
  return { id: str("id"), actor, timestamp: str("timestamp"), verb: verb(VERB[name], name), version: XAPI_VERSION };
}
function videoShape(name, result2) {
  return (actor) => ({
    ...head(actor, name),
    context: {
      contextActivities: COURSE_PARENT,
      extensions: { [EVENT_VERSION_EXT]: "1.0", [EXT.length]: raw("length") }
    },
    object: { definition: { type: VIDEO_TYPE }, id: str("objectId"), objectType: "Activity" },
    result: result2
  });
}
var SHAPES = {
  registered: (actor) => ({
    ...head(actor, "registered"),
    context: { extensions: { [TRANSFORMER_VERSION_EXT]: TRANSFORMER_VERSION, [SESSION_ID_EXT]: SESSION_ID } },
    object: {
      definition: {
        extensions: { [ACROSSX_TYPE_EXT]: str("mode") },
        name: { en: DEMO_COURSE_NAME },
        type: COURSE_ACTIVITY_TYPE
      },
      id: str("courseUrl"),
      objectType: "Activity"
    }
  }),
  navigated: (actor) => ({
    ...head(actor, "navigated"),
    context: {
      contextActivities: COURSE_PARENT,
      extensions: {
        [TRANSFORMER_VERSION_EXT]: TRANSFORMER_VERSION,
        [SESSION_ID_EXT]: SESSION_ID,
        [EXT.startingPosition]: raw("startingPosition"),
        [EXT.endingPoint]: str("endingPoint")
      }
    },
    object: {
      definition: { extensions: { [EXT.totalItems]: raw("totalItems") }, type: RESOURCE_TYPE },
      id: str("objectId"),
      objectType: "Activity"
    }
  }),
  attempted: (actor) => ({
    ...head(actor, "attempted"),
    context: { contextActivities: COURSE_PARENT },
    object: { definition: { type: INTERACTION_TYPE }, id: str("objectId"), objectType: "Activity" }
  }),
  evaluated: (actor) => ({
    ...head(actor, "evaluated"),
    context: { contextActivities: COURSE_PARENT, extensions: { [EVENT_VERSION_EXT]: "1.0" } },
    object: {
      definition: {
        extensions: { [EXT.attemptId]: raw("attemptId") },
        description: { "en-US": QUESTION_TEXT },
        interactionType: "other",
        type: INTERACTION_TYPE
      },
      id: str("objectId"),
      objectType: "Activity"
    },
    result: { response: str("response"), score: SCORE, success: raw("success") }
  }),
  initialized: videoShape("initialized", { extensions: {} }),
  played: videoShape("played", { extensions: { [EXT.time]: raw("time") } }),
  paused: videoShape("paused", { extensions: { [EXT.time]: raw("time") } }),
  completed: videoShape("completed", { extensions: { [EXT.time]: raw("time") } }),
  terminated: videoShape("terminated", { extensions: { [EXT.time]: raw("time") } }),
  seeked: videoShape("seeked", { extensions: { [EXT.timeFrom]: raw("timeFrom"), [EXT.timeTo]: raw("timeTo") } })
};
var TEMPLATES = Object.fromEntries(
  Object.entries(SHAPES).map(([name, shape]) => [
    name,
    { account: compileTemplate(shape(ACCOUNT_ACTOR)), mbox: compileTemplate(shape(MBOX_ACTOR)) }
  ])
);
function renderStatementCsv(name, actor, common, values) {
  const template = actor.mbox ? TEMPLATES[name].mbox : TEMPLATES[name].account;
  const ordered = template.slotNames.map((slot) => {
    const value = slot === "id" ? common.id : slot === "actor" ? actor.actorId : slot === "homePage" ? common.homePage : slot === "timestamp" ? common.timestamp : values[slot];
    if (value === void 0) throw new Error(`journeys statement ${name}: no value for slot "${slot}"`);
    return value;
  });
  return render(template, ordered, "csv");
}

// src/journeys/slice.ts
function emptyEdgeCounts() {
  return {
    duplicate_events: 0,
    same_instant_resumes: 0,
    recent_learners: 0,
    registration_only: 0,
    mbox_enrollments: 0,
    unpaired_video_rows: 0
  };
}
var SliceContext = class {
  plan;
  structures = /* @__PURE__ */ new Map();
  learners = /* @__PURE__ */ new Map();
  config;
  constructor(config) {
    this.config = config;
    this.plan = planJourneys(config);
  }
  structure(run) {
    return cached(this.structures, run, () => buildStructure(this.config, this.plan.runs[run]));
  }
  learnersOf(run) {
    return cached(this.learners, run, () => sampleLearners(this.config, this.plan.runs[run]));
  }
};
function cached(cache, run, make) {
  let value = cache.get(run);
  if (value === void 0) {
    if (cache.size > 8) cache.delete(cache.keys().next().value);
    value = make();
    cache.set(run, value);
  }
  return value;
}
function xapiSortKey(line) {
  return line.slice(37, 63) + line.slice(0, 36);
}
function runSlice(ctx2, task) {
  const { config } = ctx2;
  const run = ctx2.plan.runs[task.run];
  const structure = ctx2.structure(task.run);
  const learners = ctx2.learnersOf(task.run);
  const courseUrl = `${config.lmsUrl}/course/${run.courseKey}`;
  const lines = [];
  const expected = Object.fromEntries(EXPECTED_TABLES.map((t) => [t, ""]));
  const counts = Object.fromEntries(EXPECTED_TABLES.map((t) => [t, 0]));
  const edges = emptyEdgeCounts();
  let heavy = null;
  for (let k = task.from; k < task.to; k++) {
    const actor = ctx2.plan.actors[learners[k]];
    const result2 = simulateEnrollment(config, run, structure, actor, courseUrl);
    for (const event of result2.events) {
      const objectUrl = event.verb === "registered" ? event.object : `${config.lmsUrl}/xblock/${event.object}`;
      const times = formatBothTimes(event.timeUs);
      const json = renderStatementCsv(
        event.verb,
        actor,
        { id: event.id, timestamp: times.statement, homePage: config.lmsUrl },
        { ...event.values, courseUrl, objectId: objectUrl }
      );
      const line = `${event.id},${times.csv},"${json}"\r
`;
      lines.push(line);
      if (event.duplicated) {
        lines.push(line);
        edges.duplicate_events += 1;
      }
    }
    const { rows, summary } = expectedRows(run, structure, result2);
    for (const table of EXPECTED_TABLES) {
      for (const row of rows[table]) expected[table] += csvRow(row);
      counts[table] += rows[table].length;
    }
    for (const row of rows.expected_video_seconds) if (row[7] === 0) edges.unpaired_video_rows += 1;
    edges.same_instant_resumes += result2.sameInstantResumes;
    if (result2.recent) edges.recent_learners += 1;
    if (result2.events.every((e) => e.verb === "registered")) edges.registration_only += 1;
    if (actor.mbox) edges.mbox_enrollments += 1;
    if (summary.totalUnits > 0 && summary.pagesViewed > (heavy?.pagesViewed ?? 0)) {
      heavy = {
        actorId: actor.actorId,
        username: actor.username,
        pagesViewed: summary.pagesViewed,
        totalUnits: summary.totalUnits
      };
    }
  }
  if (config.sortEvents) {
    const keyed = lines.map((line) => [xapiSortKey(line), line]);
    keyed.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    for (let i = 0; i < keyed.length; i++) lines[i] = keyed[i][1];
  }
  const bytes = (text) => new Uint8Array(Buffer.from(text, "latin1"));
  return {
    task,
    xapi: bytes(lines.join("")),
    xapiRows: lines.length,
    expected: Object.fromEntries(EXPECTED_TABLES.map((t) => [t, bytes(expected[t])])),
    expectedRows: counts,
    heavy,
    edges
  };
}

// src/journeys/worker.ts
if (!parentPort) throw new Error("journeys worker must run in a worker thread");
var port = parentPort;
var ctx;
port.on(
  "message",
  (message) => {
    try {
      if (message.kind === "init") {
        ctx = new SliceContext(message.config);
        port.postMessage({ kind: "ready" });
        return;
      }
      if (!ctx) throw new Error("journeys worker used before init");
      const result2 = runSlice(ctx, message.task);
      const transfer = [result2.xapi.buffer, ...Object.values(result2.expected).map((b) => b.buffer)];
      port.postMessage({ kind: "result", id: message.id, result: result2 }, transfer);
    } catch (error) {
      port.postMessage({
        kind: "error",
        id: message.kind === "task" ? message.id : -1,
        message: error instanceof Error ? error.stack ?? error.message : String(error)
      });
    }
  }
);
