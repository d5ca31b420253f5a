import { createRequire as __xdlCreateRequire } from 'node:module';
const require = __xdlCreateRequire(import.meta.url);

// src/run/generate-worker.ts
import { parentPort } from "node:worker_threads";
import { gzipSync } from "node:zlib";

// src/formats/byte-writer.ts
var SMALL_COPY_BYTES = 16;
var ByteWriter = class {
  buffer;
  offset = 0;
  constructor(initialBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }
  /** Ensures room for `bytes` more bytes. */
  reserve(bytes) {
    if (this.offset + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.offset + bytes) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buffer.copy(next, 0, 0, this.offset);
    this.buffer = next;
  }
  /** Writes any string as UTF-8. */
  text(value) {
    this.reserve(value.length * 3);
    this.offset += this.buffer.write(value, this.offset, "utf8");
  }
  /** Writes an ASCII-only string (ids, URLs, numbers) after `reserve()`. */
  asciiUnchecked(value) {
    this.offset += this.buffer.latin1Write(value, this.offset);
  }
  /** Copies bytes after `reserve()`. */
  bytesUnchecked(value) {
    const n = value.length;
    if (n < SMALL_COPY_BYTES) {
      const buffer = this.buffer;
      let o = this.offset;
      for (let i = 0; i < n; i++) buffer[o++] = value[i];
      this.offset = o;
    } else {
      this.buffer.set(value, this.offset);
      this.offset += n;
    }
  }
  /** Copies `n` bytes written earlier, from `offset`, to the end, after `reserve()`. */
  repeatUnchecked(offset, n) {
    this.buffer.copyWithin(this.offset, offset, offset + n);
    this.offset += n;
  }
  /** Writes one byte after `reserve()`. */
  byteUnchecked(value) {
    this.buffer[this.offset++] = value;
  }
  /** Overwrites the byte at `offset` (already written). */
  patchByte(offset, value) {
    this.buffer[offset] = value;
  }
  get length() {
    return this.offset;
  }
  /** A view of what was written since the last `reset()`; valid until the next write. */
  view() {
    return this.buffer.subarray(0, this.offset);
  }
  reset() {
    this.offset = 0;
  }
};

// src/formats/tables.ts
var TABLE_KEYS = [
  "courseOverviews",
  "courseBlocks",
  "objectTags",
  "taxonomies",
  "tags",
  "externalIds",
  "userProfiles",
  "xapi"
];
var s = (name) => ({ name, type: "String" });
var i32 = (name) => ({ name, type: "Int32" });
var dump = [{ name: "dump_id", type: "UUID" }, s("time_last_dumped")];
var TABLES = {
  courseOverviews: {
    key: "courseOverviews",
    csvFile: "courses.csv.gz",
    database: "eventSink",
    table: "course_overviews",
    columns: [
      s("org"),
      s("course_key"),
      s("display_name"),
      s("course_start"),
      s("course_end"),
      s("enrollment_start"),
      s("enrollment_end"),
      { name: "self_paced", type: "Bool" },
      s("course_data_json"),
      s("created"),
      s("modified"),
      ...dump
    ]
  },
  courseBlocks: {
    key: "courseBlocks",
    csvFile: "blocks.csv.gz",
    database: "eventSink",
    table: "course_blocks",
    columns: [
      s("org"),
      s("course_key"),
      s("location"),
      s("display_name"),
      s("xblock_data_json"),
      i32("order"),
      s("edited_on"),
      ...dump
    ]
  },
  objectTags: {
    key: "objectTags",
    csvFile: "object_tags.csv.gz",
    database: "eventSink",
    table: "object_tag",
    columns: [
      i32("id"),
      s("object_id"),
      i32("taxonomy"),
      i32("tag"),
      s("_value"),
      s("_export_id"),
      s("lineage"),
      ...dump
    ]
  },
  taxonomies: {
    key: "taxonomies",
    csvFile: "taxonomies.csv.gz",
    database: "eventSink",
    table: "taxonomy",
    columns: [i32("id"), s("name"), ...dump]
  },
  tags: {
    key: "tags",
    csvFile: "tags.csv.gz",
    database: "eventSink",
    table: "tag",
    columns: [i32("id"), i32("taxonomy"), i32("parent"), s("value"), s("external_id"), s("lineage"), ...dump]
  },
  externalIds: {
    key: "externalIds",
    csvFile: "external_ids.csv.gz",
    database: "eventSink",
    table: "external_id",
    columns: [
      { name: "external_user_id", type: "UUID" },
      s("external_id_type"),
      s("username"),
      i32("user_id"),
      ...dump
    ]
  },
  userProfiles: {
    key: "userProfiles",
    csvFile: "user_profiles.csv.gz",
    database: "eventSink",
    table: "user_profile",
    columns: [
      i32("id"),
      i32("user_id"),
      s("name"),
      s("username"),
      s("email"),
      s("meta"),
      s("courseware"),
      s("language"),
      s("location"),
      s("year_of_birth"),
      s("gender"),
      s("level_of_education"),
      s("mailing_address"),
      s("city"),
      s("country"),
      s("state"),
      s("goals"),
      s("bio"),
      s("profile_image_uploaded_at"),
      s("phone_number"),
      ...dump
    ]
  },
  xapi: {
    key: "xapi",
    csvFile: "xapi.csv.gz",
    database: "xapi",
    table: "xapi_events_all",
    columns: [{ name: "event_id", type: "UUID" }, { name: "emission_time", type: "DateTime64(6)" }, s("event")]
  }
};

// src/generate/data/music-taxonomy.ts
var TAXONOMY_ID = 1;
var TAXONOMY_NAME = "Music";
var MUSIC_TAGS = [
  ["WINDS", "Wind instruments", null],
  ["PERCUSS", "Percussion instruments", null],
  ["ELECTRIC", "Electronic instruments", null],
  ["STRINGS", "String instruments", null],
  ["BELLS", "Idiophone", "PERCUSS"],
  ["DRUMS", "Membranophone", "PERCUSS"],
  ["CAJ\xD3N", "Caj\xF3n", "DRUMS"],
  ["PYLE", "Pyle Stringed Jam Caj\xF3n", "CAJ\xD3N"],
  ["THERAMIN", "Theramin", "ELECTRIC"],
  ["CHORD", "Chordophone", "PERCUSS"],
  ["BRASS", "Brass", "WINDS"],
  ["WOODS", "Woodwinds", "WINDS"],
  ["FLUTE", "Flute", "WOODS"],
  ["PLUCK", "Plucked strings", "STRINGS"],
  ["MANDOLIN", "Mandolin", "PLUCK"],
  ["HARP", "Harp", "PLUCK"],
  ["BANJO", "Banjo", "PLUCK"],
  ["BOW", "Bowed strings", "STRINGS"],
  ["VIOLIN", "Violin", "BOW"],
  ["CELLO", "Cello", "BOW"],
  ["CLARINET", "Clarinet", "WOODS"],
  ["OBOE", "Oboe", "WOODS"],
  ["TRUMPET", "Trumpet", "BRASS"],
  ["TUBA", "Tuba", "BRASS"],
  ["SYNTH", "Synthesizer", "ELECTRIC"],
  ["CELESTA", "Celesta", "BELLS"],
  ["HI-HAT", "Hi-hat", "BELLS"],
  ["TABLA", "Tabla", "DRUMS"],
  ["PIANO", "Piano", "CHORD"]
];
function pythonJsonList(values) {
  const escaped = values.map(
    (v) => JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
  );
  return `[${escaped.join(", ")}]`;
}
function buildTags() {
  const byExternal = /* @__PURE__ */ new Map();
  const ancestorsOf = /* @__PURE__ */ new Map();
  const tags = [];
  MUSIC_TAGS.forEach(([externalId, value, parent], index) => {
    const parentTag = parent === null ? void 0 : byExternal.get(parent);
    if (parent !== null && !parentTag) throw new Error(`music taxonomy: parent ${parent} listed after ${externalId}`);
    const ancestors = parentTag ? [...ancestorsOf.get(parentTag.externalId) ?? [], parentTag.value] : [];
    const tag = {
      id: index + 1,
      externalId,
      value,
      parentId: parentTag?.id ?? null,
      lineage: pythonJsonList(ancestors)
    };
    byExternal.set(externalId, tag);
    ancestorsOf.set(externalId, ancestors);
    tags.push(tag);
  });
  return Object.freeze(tags);
}
var TAGS = buildTags();

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
function hashInts(parts, salt) {
  let h = mix32(salt ^ 2654435769);
  for (const part of parts) {
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
  constructor(parts) {
    this.a = hashInts(parts, 1);
    this.b = hashInts(parts, 2);
    this.c = hashInts(parts, 3);
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
var STREAM = {
  world: 1,
  actors: 2,
  xapi: 3,
  enrollments: 4,
  courseOverviews: 5,
  courseBlocks: 6,
  objectTags: 7,
  taxonomy: 8,
  tags: 9,
  externalIds: 10,
  userProfiles: 11
};
function randRange(rng, lo, hi) {
  return lo + Math.floor(rng.next() * (hi - lo));
}
function randInt(rng, lo, hi) {
  return lo + Math.floor(rng.next() * (hi - lo + 1));
}
function pick(rng, items) {
  return items[Math.floor(rng.next() * items.length)];
}
var HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
function hex32(x) {
  return HEX[x >>> 24 & 255] + HEX[x >>> 16 & 255] + HEX[x >>> 8 & 255] + HEX[x & 255];
}
function randHex8(rng) {
  return hex32(rng.nextUint32());
}
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
function hashedUuid4(parts) {
  return formatUuid4(hashInts(parts, 11), hashInts(parts, 12), hashInts(parts, 13), hashInts(parts, 14));
}

// src/generate/time.ts
var SECONDS_PER_DAY = 86400;
var dayCodes = /* @__PURE__ */ new Map();
function formatDay(epochDay) {
  return new Date(epochDay * SECONDS_PER_DAY * 1e3).toISOString().slice(0, 10);
}
function codesOfDay(epochDay) {
  let codes = dayCodes.get(epochDay);
  if (codes === void 0) {
    const text = formatDay(epochDay);
    codes = Uint16Array.from(text, (c) => c.charCodeAt(0));
    dayCodes.set(epochDay, codes);
  }
  return codes;
}
var ZERO = 48;
function formatTimestamp(epochSeconds, separator) {
  const d = codesOfDay(Math.floor(epochSeconds / SECONDS_PER_DAY));
  const s2 = epochSeconds % SECONDS_PER_DAY;
  const h = Math.floor(s2 / 3600);
  const m = Math.floor(s2 % 3600 / 60);
  const sec = s2 % 60;
  return String.fromCharCode(
    d[0],
    d[1],
    d[2],
    d[3],
    45,
    d[5],
    d[6],
    45,
    d[8],
    d[9],
    separator,
    ZERO + Math.floor(h / 10),
    ZERO + h % 10,
    58,
    ZERO + Math.floor(m / 10),
    ZERO + m % 10,
    58,
    ZERO + Math.floor(sec / 10),
    ZERO + sec % 10,
    43,
    48,
    48,
    58,
    48,
    48
  );
}
function formatIsoTimestamp(epochSeconds) {
  return formatTimestamp(
    epochSeconds,
    84
    /* T */
  );
}

// src/generate/world.ts
var GRADED_SUBSECTION_PROBABILITY = 0.5;
function buildWorld(config) {
  const rng = createRng([config.seed, STREAM.world]);
  const orgs = Array.from({ length: config.numOrganizations }, (_, i) => `Org${i}`);
  const courses = [];
  const usedCourseUuids = /* @__PURE__ */ new Set();
  for (const size of config.courseSizes) {
    let remaining = size.count;
    while (remaining > 0) {
      const org = pick(rng, orgs);
      const enrolledActors = new Int32Array(size.makeup.actors);
      for (let i = 0; i < enrolledActors.length; i++) enrolledActors[i] = randRange(rng, 0, config.numActors);
      const runs = randRange(rng, 1, 5);
      let courseUuid = randHex8(rng).slice(0, 6);
      while (usedCourseUuids.has(courseUuid)) courseUuid = randHex8(rng).slice(0, 6);
      usedCourseUuids.add(courseUuid);
      for (let run = 0; run < runs && remaining > 0; run++, remaining--) {
        courses.push(
          buildCourse(rng, config, courses.length, org, courseUuid, run, size.name, size.makeup, enrolledActors)
        );
      }
    }
  }
  const enrollmentOffsets = new Int32Array(courses.length + 1);
  courses.forEach((course, i) => {
    enrollmentOffsets[i + 1] = enrollmentOffsets[i] + course.enrolledActors.length;
  });
  return { config, orgs, courses, enrollmentOffsets, totalEnrollments: enrollmentOffsets[courses.length] };
}
function buildCourse(rng, config, index, org, courseUuid, run, sizeName, makeup, enrolledActors) {
  const lms = config.lmsUrl;
  const courseId = `course-v1:${org}+${courseUuid}+${run}`;
  const lastStart = config.endDate - config.startDate - config.courseLengthDays;
  const startDay = config.startDate + randRange(rng, 0, lastStart);
  const endDay = startDay + config.courseLengthDays;
  const enrollDays = new Int32Array(enrolledActors.length);
  for (let i = 0; i < enrollDays.length; i++) enrollDays[i] = randRange(rng, startDay, endDay);
  const usedHex = /* @__PURE__ */ new Set();
  const uniqueHex = () => {
    let hex = randHex8(rng);
    while (usedHex.has(hex)) hex = randHex8(rng);
    usedHex.add(hex);
    return hex;
  };
  const blockIds = (type, count) => Array.from({ length: count }, () => `${lms}/xblock/block-v1:${courseId}+type@${type}+block@${uniqueHex()}`);
  const chapters = blockIds("chapter", makeup.chapters);
  const sequentials = blockIds("sequential", makeup.sequences);
  const verticals = blockIds("vertical", makeup.verticals);
  const problems = blockIds("problem", makeup.problems);
  const videos = blockIds("video", makeup.videos);
  const forumPosts = Array.from({ length: makeup.forumPosts }, () => `${lms}/api/discussion/v1/threads/${uniqueHex()}`);
  const gradedSequentials = sequentials.map(() => rng.next() < GRADED_SUBSECTION_PROBABILITY);
  const { blocks, objectTags, courseTagIds } = buildBlockTree(rng, {
    org,
    courseUuid,
    run,
    chapters,
    sequentials,
    verticals,
    problems,
    videos,
    gradedSequentials,
    lmsPrefixLength: `${lms}/xblock/`.length
  });
  return {
    index,
    org,
    courseUuid,
    run,
    sizeName,
    makeup,
    courseId,
    courseUrl: `${lms}/course/${courseId}`,
    displayName: `${courseUuid} (${sizeName})`,
    startDay,
    endDay,
    enrolledActors,
    enrollDays,
    chapters,
    sequentials,
    verticals,
    problems,
    videos,
    forumPosts,
    itemsInCourse: videos.length + problems.length + verticals.length + sequentials.length + chapters.length + forumPosts.length,
    blocks,
    objectTags,
    courseTagIds
  };
}
function buildBlockTree(rng, input) {
  let counter = 1;
  const named = (type, ids, graded) => ids.map(
    (id, i) => ({
      blockType: type,
      location: id.slice(input.lmsPrefixLength),
      displayName: `${type[0]?.toUpperCase()}${type.slice(1)} ${counter}`,
      order: counter++,
      gradedSelf: graded?.[i] ?? false
    })
  );
  const videos = named("video", input.videos);
  const problems = named("problem", input.problems);
  const chapters = named("chapter", input.chapters);
  const sequentials = named("sequential", input.sequentials, input.gradedSequentials);
  const verticals = named("vertical", input.verticals);
  const courseBlock = {
    blockType: "course",
    location: `block-v1:${input.org}+${input.courseUuid}+${input.run}+type@course+block@course`,
    displayName: `Course ${input.courseUuid.slice(0, 5)}`,
    order: 1,
    gradedSelf: false
  };
  const structure = [courseBlock, ...chapters];
  const insertFrom = (blocks2, lowest) => {
    for (const block of blocks2) {
      const at = randInt(rng, Math.min(lowest, structure.length), structure.length);
      structure.splice(at, 0, block);
    }
  };
  insertFrom(sequentials, 2);
  insertFrom(verticals, 2);
  insertFrom(videos, 4);
  insertFrom(problems, 4);
  let section = 0;
  let subsection = 0;
  let unit = 0;
  let subsectionGraded = false;
  const blocks = structure.map((pending) => {
    if (pending.blockType === "chapter") {
      section++;
      subsection = 0;
      unit = 0;
      subsectionGraded = false;
    } else if (pending.blockType === "sequential") {
      subsection++;
      unit = 0;
      subsectionGraded = pending.gradedSelf;
    } else if (pending.blockType === "vertical") {
      unit++;
    }
    const graded = pending.blockType !== "course" && pending.blockType !== "chapter" && subsectionGraded;
    return {
      blockType: pending.blockType,
      location: pending.location,
      displayName: pending.displayName,
      order: pending.order,
      graded,
      xblockDataJson: `{"block_type": "${pending.blockType}", "section": ${section}, "subsection": ${subsection}, "unit": ${unit}, "graded": ${graded}}`
    };
  });
  const objectTags = [];
  const byType = (type) => blocks.filter((b) => b.blockType === type);
  for (const type of ["video", "problem", "chapter", "sequential", "vertical"]) {
    for (const block of byType(type)) {
      const count = randRange(rng, 0, 3);
      for (let i = 0; i < count; i++)
        objectTags.push({ objectId: block.location, tagIndex: randRange(rng, 0, TAGS.length) });
    }
  }
  const courseTagIds = [];
  const courseTagCount = randRange(rng, 1, 3);
  for (let i = 0; i < courseTagCount; i++) {
    const tagIndex = randRange(rng, 0, TAGS.length);
    objectTags.push({ objectId: courseBlock.location, tagIndex });
    const tagId = TAGS[tagIndex].id;
    if (!courseTagIds.includes(tagId)) courseTagIds.push(tagId);
  }
  return { blocks, objectTags, courseTagIds };
}
var ACTOR_ID_CACHE_LIMIT = 25e4;
var actorIdCaches = /* @__PURE__ */ new WeakMap();
function actorUuid(config, actorIndex) {
  let cache = actorIdCaches.get(config);
  if (cache === void 0 && config.numActors <= ACTOR_ID_CACHE_LIMIT) {
    cache = new Array(config.numActors);
    actorIdCaches.set(config, cache);
  }
  let id = cache?.[actorIndex];
  if (id === void 0) {
    id = hashedUuid4([config.seed, STREAM.actors, actorIndex]);
    if (cache) cache[actorIndex] = id;
  }
  return id;
}
var GENDERS = ["", "m", "f", "o"];
var EDUCATION_LEVELS = ["", "p", "m", "b", "none", "other"];
var COUNTRIES = ["", "US", "CO", "AU", "IN", "PK"];
function actorProfile(config, actorIndex) {
  const parts = [config.seed, STREAM.actors, actorIndex];
  const uniform = (salt, n) => Math.floor(hashInts(parts, salt) / 4294967296 * n);
  return {
    yearOfBirth: 1900 + uniform(21, 111),
    gender: GENDERS[uniform(22, GENDERS.length)],
    levelOfEducation: EDUCATION_LEVELS[uniform(23, EDUCATION_LEVELS.length)],
    country: COUNTRIES[uniform(24, COUNTRIES.length)]
  };
}
function locateEnrollment(world2, k) {
  const offsets = world2.enrollmentOffsets;
  let lo = 0;
  let hi = world2.courses.length - 1;
  while (lo < hi) {
    const mid = lo + hi + 1 >>> 1;
    if (offsets[mid] <= k) lo = mid;
    else hi = mid - 1;
  }
  return { course: world2.courses[lo], entry: k - offsets[lo] };
}

// src/generate/event-sink.ts
function dumpTime(config, n) {
  let memo = dumpTimes.get(config);
  if (memo === void 0) {
    memo = /* @__PURE__ */ new Map();
    dumpTimes.set(config, memo);
  }
  let text = memo.get(n);
  if (text === void 0) {
    text = formatDumpTime(config, n);
    if (memo.size < DUMP_TIME_MEMO_LIMIT) memo.set(n, text);
  }
  return text;
}
var DUMP_TIME_MEMO_LIMIT = 1e4;
var dumpTimes = /* @__PURE__ */ new WeakMap();
function formatDumpTime(config, n) {
  const seconds = config.endDate * SECONDS_PER_DAY + n;
  const day = formatDay(Math.floor(seconds / SECONDS_PER_DAY));
  const s2 = seconds % SECONDS_PER_DAY;
  const pad = (x) => String(x).padStart(2, "0");
  return `${day} ${pad(Math.floor(s2 / 3600))}:${pad(Math.floor(s2 % 3600 / 60))}:${pad(s2 % 60)}+00:00`;
}
function courseOverviewRows(world2, publish) {
  const { config } = world2;
  return world2.courses.map((course) => {
    const rowIndex = publish * world2.courses.length + course.index;
    const selfPaced = (hashInts([config.seed, STREAM.courseOverviews, rowIndex], 1) & 1) === 1;
    const start = formatDay(course.startDay);
    const end = formatDay(course.endDay);
    return [
      course.org,
      course.courseId,
      course.displayName,
      start,
      end,
      start,
      end,
      selfPaced,
      `{"tags": [${course.courseTagIds.join(", ")}]}`,
      start,
      end,
      hashedUuid4([config.seed, STREAM.courseOverviews, rowIndex]),
      dumpTime(config, publish)
    ];
  });
}
function courseBlockRows(world2, courseIndex) {
  const { config } = world2;
  const course = world2.courses[courseIndex];
  const edited = formatDay(course.endDay);
  const rows = [];
  for (let publish = 0; publish < config.numCoursePublishes; publish++) {
    const dumpId = hashedUuid4([config.seed, STREAM.courseBlocks, courseIndex, publish]);
    const dumped = dumpTime(config, publish);
    for (const block of course.blocks) {
      rows.push([
        course.org,
        course.courseId,
        block.location,
        block.displayName,
        block.xblockDataJson,
        block.order,
        edited,
        dumpId,
        dumped
      ]);
    }
  }
  return rows;
}
function objectTagRowsBefore(world2, courseIndex) {
  let rows = 0;
  for (let c = 0; c < courseIndex; c++) rows += world2.courses[c].objectTags.length;
  return rows * world2.config.numCoursePublishes;
}
function objectTagRows(world2, courseIndex, firstId) {
  const { config } = world2;
  const course = world2.courses[courseIndex];
  const rows = [];
  let id = firstId;
  for (let publish = 0; publish < config.numCoursePublishes; publish++) {
    const dumpId = hashedUuid4([config.seed, STREAM.objectTags, courseIndex, publish]);
    const dumped = dumpTime(config, publish);
    for (const objectTag of course.objectTags) {
      const tag = TAGS[objectTag.tagIndex];
      rows.push([
        id++,
        objectTag.objectId,
        TAXONOMY_ID,
        tag.id,
        tag.value,
        "fake export id",
        tag.lineage,
        dumpId,
        dumped
      ]);
    }
  }
  return rows;
}
function taxonomyRows(world2) {
  const { config } = world2;
  return [[TAXONOMY_ID, TAXONOMY_NAME, hashedUuid4([config.seed, STREAM.taxonomy, 0]), dumpTime(config, 0)]];
}
function tagRows(world2) {
  const { config } = world2;
  const dumpId = hashedUuid4([config.seed, STREAM.tags, 0]);
  const dumped = dumpTime(config, 0);
  return TAGS.map((tag) => [tag.id, TAXONOMY_ID, tag.parentId, tag.value, tag.externalId, tag.lineage, dumpId, dumped]);
}
function externalIdRows(world2, chunk) {
  const { config } = world2;
  const first = chunk * config.batchSize;
  const last = Math.min(config.numActors, first + config.batchSize);
  const rows = [];
  for (let actor = first; actor < last; actor++) {
    rows.push([
      actorUuid(config, actor),
      "xapi",
      `actor_${actor}`,
      actor,
      hashedUuid4([config.seed, STREAM.externalIds, actor]),
      dumpTime(config, 0)
    ]);
  }
  return rows;
}
function userProfileRows(world2, chunk) {
  const { config } = world2;
  const total = config.numActors * config.numActorProfileChanges;
  const first = chunk * config.batchSize;
  const last = Math.min(total, first + config.batchSize);
  const rows = [];
  for (let r = first; r < last; r++) {
    const round = Math.floor(r / config.numActors);
    const actor = r % config.numActors;
    const p = actorProfile(config, actor);
    rows.push([
      actor,
      actor,
      `Actor ${actor}`,
      `actor_${actor}`,
      `actor_${actor}@aspects.invalid`,
      "{}",
      "",
      "",
      "",
      String(p.yearOfBirth),
      p.gender,
      p.levelOfEducation,
      "",
      "",
      p.country,
      "",
      "",
      "",
      "",
      "",
      hashedUuid4([config.seed, STREAM.userProfiles, r]),
      dumpTime(config, round)
    ]);
  }
  return rows;
}

// src/generate/event-types.ts
var EVENT_TYPES = [
  "CourseGradeCalculated",
  "PlayedVideo",
  "NextNavigation",
  "BrowserProblemCheck",
  "ServerProblemCheck",
  "PausedVideo",
  "LoadedVideo",
  "CompletedVideo",
  "PositionChangedVideo",
  "StoppedVideo",
  "ShowAnswer",
  "Registered",
  "PreviousNavigation",
  "PostCreated",
  "Unregistered",
  "ShowHint",
  "TranscriptEnabled",
  "TranscriptDisabled",
  "FirstTimePassed",
  "TabSelectedNavigation",
  "LinkClicked",
  "SubsectionGradeCalculated"
];
var EVENT_WEIGHTS = {
  CourseGradeCalculated: 20,
  PlayedVideo: 14.019,
  NextNavigation: 12.467,
  BrowserProblemCheck: 9.9,
  ServerProblemCheck: 9.5,
  PausedVideo: 8.912,
  LoadedVideo: 7.125,
  CompletedVideo: 5.124,
  PositionChangedVideo: 5.105,
  StoppedVideo: 3.671,
  ShowAnswer: 1.373,
  Registered: 1.138,
  PreviousNavigation: 0.811,
  PostCreated: 0.5,
  Unregistered: 0.146,
  ShowHint: 0.076,
  TranscriptEnabled: 0.05,
  TranscriptDisabled: 0.05,
  FirstTimePassed: 0.031,
  TabSelectedNavigation: 1e-3,
  LinkClicked: 1e-3,
  SubsectionGradeCalculated: 0
};
function createEventMix(weights = EVENT_WEIGHTS) {
  const types = EVENT_TYPES.filter((t) => weights[t] > 0);
  const cumulative = new Float64Array(types.length);
  let total = 0;
  types.forEach((t, i) => {
    total += weights[t];
    cumulative[i] = total;
  });
  return { types, cumulative, total };
}
function drawEventType(mix, u) {
  const target = u * mix.total;
  let lo = 0;
  let hi = mix.cumulative.length - 1;
  while (lo < hi) {
    const mid = lo + hi >>> 1;
    if (mix.cumulative[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return mix.types[lo];
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

// src/generate/statements/common.ts
var XAPI_VERSION = "1.0.3";
var DEMO_COURSE_NAME = "Demonstration Course";
var COURSE_ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/course";
var EVENT_VERSION_EXT = "https://github.com/openedx/event-routing-backends/blob/master/docs/xapi-extensions/eventVersion.rst";
var TRANSFORMER_VERSION_EXT = "https://w3id.org/xapi/openedx/extension/transformer-version";
var SESSION_ID_EXT = "https://w3id.org/xapi/openedx/extensions/session-id";
var TRANSFORMER_VERSION = "event-routing-backends@7.0.1";
var GRADE_TRANSFORMER_VERSION = "event-routing-backends@5.6.0";
var SESSION_ID = "e4858858443cd99828206e294587dac5";
var FORUM_SESSION_ID = "054c9ddcb76d2096f862e66bda3bc308";
var VIDEO_LENGTH_SECONDS = 195;
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
function verbIdFirst(id, display) {
  return { id, display: { en: display } };
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

// src/generate/statements/context.ts
function fill(template, values) {
  const names = template.slotNames;
  const ordered = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const value = values[names[i]];
    if (value === void 0) throw new Error(`statement template: no value for slot "${names[i]}"`);
    ordered[i] = value;
  }
  return { template, values: ordered };
}

// src/generate/statements/enrollment.ts
var ENROLLMENT_MODES = ["audit", "honor", "verified"];
function enrollmentStatement(verbId, verbDisplay) {
  return compileTemplate({
    id: str("id"),
    actor: ACTOR_TYPE_FIRST,
    context: { extensions: TRANSFORMER_SESSION_EXTENSIONS },
    object: {
      definition: {
        extensions: { [ACROSSX_TYPE_EXT]: str("mode") },
        name: { en: DEMO_COURSE_NAME },
        type: COURSE_ACTIVITY_TYPE
      },
      id: str("courseUrl"),
      objectType: "Activity"
    },
    timestamp: str("timestamp"),
    verb: verb(verbId, verbDisplay),
    version: XAPI_VERSION
  });
}
var registered = enrollmentStatement("http://adlnet.gov/expapi/verbs/registered", "registered");
var unregistered = enrollmentStatement("http://id.tincanapi.com/verb/unregistered", "unregistered");
var buildRegistered = (rng, ctx) => fill(registered, {
  id: ctx.eventId,
  homePage: ctx.world.config.lmsUrl,
  actor: ctx.actorId,
  mode: pick(rng, ENROLLMENT_MODES),
  courseUrl: ctx.course.courseUrl,
  timestamp: ctx.timestamp
});
var enrollmentBuilders = {
  Registered: buildRegistered,
  Unregistered: (rng, ctx) => fill(unregistered, {
    id: ctx.eventId,
    homePage: ctx.world.config.lmsUrl,
    actor: ctx.actorId,
    mode: pick(rng, ENROLLMENT_MODES),
    courseUrl: ctx.course.courseUrl,
    timestamp: ctx.timestamp
  })
};

// src/generate/statements/forum.ts
var postCreated = compileTemplate({
  id: str("id"),
  actor: ACTOR_TYPE_FIRST,
  context: {
    contextActivities: COURSE_PARENT,
    extensions: {
      [TRANSFORMER_VERSION_EXT]: TRANSFORMER_VERSION,
      // The forum template has its own constant session id.
      [SESSION_ID_EXT]: FORUM_SESSION_ID,
      [ACROSSX_TYPE_EXT]: "discussion"
    }
  },
  object: {
    definition: { type: "http://id.tincanapi.com/activitytype/discussion" },
    id: str("objectId"),
    objectType: "Activity"
  },
  timestamp: str("timestamp"),
  verb: verb("https://w3id.org/xapi/acrossx/verbs/posted", "posted"),
  version: XAPI_VERSION
});
var forumBuilders = {
  PostCreated: (rng, ctx) => fill(postCreated, {
    id: ctx.eventId,
    homePage: ctx.world.config.lmsUrl,
    actor: ctx.actorId,
    courseUrl: ctx.course.courseUrl,
    objectId: pick(rng, ctx.course.forumPosts),
    timestamp: ctx.timestamp
  })
};

// src/generate/statements/score.ts
var MAX_SCORE = 100;
var scaledText = new Array((MAX_SCORE + 1) * (MAX_SCORE + 1));
function drawScore(rng) {
  const max = randInt(rng, 1, MAX_SCORE);
  const raw2 = randInt(rng, 0, max);
  const scaled = raw2 / max;
  const key = raw2 * (MAX_SCORE + 1) + max;
  let text = scaledText[key];
  if (text === void 0) {
    text = formatPyFloat(scaled);
    scaledText[key] = text;
  }
  return { slots: { scaled: text, scoreRaw: String(raw2), scoreMax: String(max) }, scaled };
}

// src/generate/statements/grade.ts
var EARNED = verbIdFirst("http://id.tincanapi.com/verb/earned", "earned");
var GRADE_CLASSIFICATION_EXT = "http://www.tincanapi.co.uk/activitytypes/grade_classification";
var PASS_THRESHOLD = 0.65;
var courseGradeCalculated = compileTemplate({
  actor: ACTOR_ACCOUNT_FIRST,
  id: str("id"),
  verb: EARNED,
  context: { contextActivities: COURSE_PARENT, extensions: { [TRANSFORMER_VERSION_EXT]: GRADE_TRANSFORMER_VERSION } },
  version: XAPI_VERSION,
  timestamp: str("timestamp"),
  object: {
    id: str("objectId"),
    definition: { name: { en: DEMO_COURSE_NAME }, type: COURSE_ACTIVITY_TYPE },
    objectType: "Activity"
  },
  result: { score: SCORE, extensions: { [GRADE_CLASSIFICATION_EXT]: str("classification") } }
});
var subsectionGradeCalculated = compileTemplate({
  actor: ACTOR_ACCOUNT_FIRST,
  id: str("id"),
  verb: EARNED,
  context: { contextActivities: COURSE_PARENT, extensions: { [TRANSFORMER_VERSION_EXT]: GRADE_TRANSFORMER_VERSION } },
  version: XAPI_VERSION,
  timestamp: str("timestamp"),
  object: {
    id: str("objectId"),
    definition: { type: "http://id.tincanapi.com/activitytype/resource" },
    objectType: "Activity"
  },
  result: { score: SCORE, success: raw("success") }
});
var firstTimePassed = compileTemplate({
  id: str("id"),
  actor: ACTOR_ACCOUNT_FIRST,
  context: { extensions: TRANSFORMER_SESSION_EXTENSIONS },
  object: {
    definition: { extensions: {}, name: { en: DEMO_COURSE_NAME }, type: COURSE_ACTIVITY_TYPE },
    id: str("courseUrl"),
    objectType: "Activity"
  },
  timestamp: str("timestamp"),
  verb: verb("http://adlnet.gov/expapi/verbs/passed", "passed"),
  version: XAPI_VERSION
});
function common(ctx) {
  return {
    id: ctx.eventId,
    homePage: ctx.world.config.lmsUrl,
    actor: ctx.actorId,
    courseUrl: ctx.course.courseUrl,
    timestamp: ctx.timestamp
  };
}
var gradeBuilders = {
  CourseGradeCalculated: (rng, ctx) => {
    const score = drawScore(rng);
    return fill(courseGradeCalculated, {
      ...common(ctx),
      objectId: ctx.course.courseUrl,
      ...score.slots,
      classification: score.scaled > PASS_THRESHOLD ? "Pass" : "Fail"
    });
  },
  FirstTimePassed: (_rng, ctx) => fill(firstTimePassed, common(ctx)),
  // Weight 0 in the event mix (never drawn), kept so the template set is complete.
  SubsectionGradeCalculated: (rng, ctx) => {
    const objectId = pick(rng, ctx.course.sequentials);
    const score = drawScore(rng);
    return fill(subsectionGradeCalculated, {
      ...common(ctx),
      objectId,
      ...score.slots,
      success: rng.next() < 0.5 ? "true" : "false"
    });
  }
};

// src/generate/statements/navigation.ts
var NAVIGATED = verb("https://w3id.org/xapi/dod-isd/verbs/navigated", "navigated");
var RESOURCE_TYPE = "http://id.tincanapi.com/activitytype/resource";
var LINK_TYPE = "http://adlnet.gov/expapi/activities/link";
var ENDING_POINT_EXT = "http://id.tincanapi.com/extension/ending-point";
var STARTING_POSITION_EXT = "http://id.tincanapi.com/extension/starting-position";
var TOTAL_ITEMS_EXT = "https://w3id.org/xapi/acrossx/extensions/total-items";
var LINK_PATH = "/courses/course-v1:edX+DemoX+Demo_Course/jump_to/block-v1:edX+DemoX+Demo_Course+type@sequential+block@6ab9c442501d472c8ed200e367b4edfa";
function navigatedStatement(endingPoint) {
  return compileTemplate({
    id: str("id"),
    actor: ACTOR_ACCOUNT_FIRST,
    context: {
      contextActivities: COURSE_PARENT,
      extensions: {
        [TRANSFORMER_VERSION_EXT]: TRANSFORMER_VERSION,
        [SESSION_ID_EXT]: SESSION_ID,
        [ENDING_POINT_EXT]: endingPoint,
        [STARTING_POSITION_EXT]: str("startingPosition")
      }
    },
    timestamp: str("timestamp"),
    verb: NAVIGATED,
    version: XAPI_VERSION,
    object: {
      definition: { extensions: { [TOTAL_ITEMS_EXT]: raw("totalItems") }, type: RESOURCE_TYPE },
      id: str("objectId"),
      objectType: "Activity"
    }
  });
}
var nextNavigation = navigatedStatement("next unit");
var previousNavigation = navigatedStatement("previous unit");
var tabSelected = navigatedStatement(str("endingPoint"));
var linkClicked = compileTemplate({
  id: str("id"),
  actor: ACTOR_ACCOUNT_FIRST,
  context: { contextActivities: COURSE_PARENT, extensions: TRANSFORMER_SESSION_EXTENSIONS },
  timestamp: str("timestamp"),
  verb: NAVIGATED,
  version: XAPI_VERSION,
  object: { definition: { type: LINK_TYPE }, id: str("objectId"), objectType: "Activity" }
});
function position(rng, ctx) {
  return String(randRange(rng, 1, ctx.course.itemsInCourse));
}
function common2(ctx, objectId) {
  return {
    id: ctx.eventId,
    homePage: ctx.world.config.lmsUrl,
    actor: ctx.actorId,
    courseUrl: ctx.course.courseUrl,
    objectId,
    timestamp: ctx.timestamp
  };
}
function unitNavigation(rng, ctx) {
  return {
    ...common2(ctx, pick(rng, ctx.course.sequentials)),
    totalItems: String(ctx.course.itemsInCourse),
    startingPosition: position(rng, ctx)
  };
}
var navigationBuilders = {
  NextNavigation: (rng, ctx) => fill(nextNavigation, unitNavigation(rng, ctx)),
  PreviousNavigation: (rng, ctx) => fill(previousNavigation, unitNavigation(rng, ctx)),
  TabSelectedNavigation: (rng, ctx) => fill(tabSelected, { ...unitNavigation(rng, ctx), endingPoint: position(rng, ctx) }),
  LinkClicked: (_rng, ctx) => fill(linkClicked, common2(ctx, ctx.world.config.lmsUrl + LINK_PATH))
};

// src/generate/statements/problem.ts
var INTERACTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction";
var ATTEMPT_ID_EXT = "http://id.tincanapi.com/extension/attempt-id";
var QUESTION_TEXT = "Add the question text, or prompt, here. This text is required.";
var HINT_TYPE = "https://w3id.org/xapi/acrossx/extensions/supplemental-info";
var SOLUTION_TYPE = "http://id.tincanapi.com/activitytype/solution";
var ASKED = verb("http://adlnet.gov/expapi/verbs/asked", "asked");
var browserCheck = compileTemplate({
  id: str("id"),
  actor: ACTOR_TYPE_FIRST,
  context: { contextActivities: COURSE_PARENT, extensions: { [EVENT_VERSION_EXT]: "1.0" } },
  timestamp: str("timestamp"),
  verb: verb("http://adlnet.gov/expapi/verbs/attempted", "attempted"),
  version: XAPI_VERSION,
  object: { definition: { type: INTERACTION_TYPE }, id: str("objectId"), objectType: "Activity" }
});
var serverCheck = compileTemplate({
  id: str("id"),
  actor: ACTOR_TYPE_FIRST,
  context: { contextActivities: COURSE_PARENT, extensions: { [EVENT_VERSION_EXT]: "1.0" } },
  timestamp: str("timestamp"),
  verb: verb("https://w3id.org/xapi/acrossx/verbs/evaluated", "evaluated"),
  version: XAPI_VERSION,
  object: {
    definition: {
      extensions: { [ATTEMPT_ID_EXT]: raw("attemptId") },
      description: { "en-US": QUESTION_TEXT },
      interactionType: "other",
      type: INTERACTION_TYPE
    },
    id: str("objectId"),
    objectType: "Activity"
  },
  result: { response: str("response"), score: SCORE, success: raw("success") }
});
function askedStatement(objectType) {
  return compileTemplate({
    id: str("id"),
    actor: ACTOR_ACCOUNT_FIRST,
    context: { contextActivities: COURSE_PARENT, extensions: TRANSFORMER_SESSION_EXTENSIONS },
    timestamp: str("timestamp"),
    verb: ASKED,
    version: XAPI_VERSION,
    object: { definition: { type: objectType }, id: str("objectId"), objectType: "Activity" }
  });
}
var showHint = askedStatement(HINT_TYPE);
var showAnswer = askedStatement(SOLUTION_TYPE);
function common3(ctx, objectId) {
  return {
    id: ctx.eventId,
    homePage: ctx.world.config.lmsUrl,
    actor: ctx.actorId,
    courseUrl: ctx.course.courseUrl,
    objectId,
    timestamp: ctx.timestamp
  };
}
function randomProblem(rng, ctx) {
  return pick(rng, ctx.course.problems);
}
var problemBuilders = {
  BrowserProblemCheck: (rng, ctx) => fill(browserCheck, common3(ctx, randomProblem(rng, ctx))),
  ServerProblemCheck: (rng, ctx) => {
    const objectId = randomProblem(rng, ctx);
    const attemptId = String(randRange(rng, 1, 10));
    const correct = rng.next() < 0.5;
    return fill(serverCheck, {
      ...common3(ctx, objectId),
      attemptId,
      response: correct ? "A correct answer" : "An incorrect answer",
      success: correct ? "true" : "false",
      ...drawScore(rng).slots
    });
  },
  ShowHint: (rng, ctx) => fill(showHint, common3(ctx, `${randomProblem(rng, ctx)}/hint/1`)),
  ShowAnswer: (rng, ctx) => fill(showAnswer, common3(ctx, `${randomProblem(rng, ctx)}/answer`))
};

// src/generate/statements/video.ts
var VIDEO_TYPE = "https://w3id.org/xapi/video/activity-type/video";
var VIDEO_LENGTH_EXT = "https://w3id.org/xapi/video/extensions/length";
var TIME_EXT = "https://w3id.org/xapi/video/extensions/time";
var TIME_FROM_EXT = "https://w3id.org/xapi/video/extensions/time-from";
var TIME_TO_EXT = "https://w3id.org/xapi/video/extensions/time-to";
var CC_ENABLED_EXT = "https://w3id.org/xapi/video/extensions/cc-enabled";
function videoStatement(verbId, verbDisplay, result) {
  return {
    id: str("id"),
    actor: ACTOR_TYPE_FIRST,
    context: {
      contextActivities: COURSE_PARENT,
      extensions: { [EVENT_VERSION_EXT]: "1.0", [VIDEO_LENGTH_EXT]: pyFloat(VIDEO_LENGTH_SECONDS) }
    },
    object: { definition: { type: VIDEO_TYPE }, id: str("objectId"), objectType: "Activity" },
    result,
    timestamp: str("timestamp"),
    verb: verb(verbId, verbDisplay),
    version: XAPI_VERSION
  };
}
var loaded = compileTemplate(
  videoStatement("http://adlnet.gov/expapi/verbs/initialized", "initialized", { extensions: {} })
);
var completed = compileTemplate(
  videoStatement("http://adlnet.gov/expapi/verbs/completed", "completed", { extensions: {} })
);
var played = compileTemplate(
  videoStatement("https://w3id.org/xapi/video/verbs/played", "played", { extensions: { [TIME_EXT]: raw("time") } })
);
var paused = compileTemplate(
  videoStatement("https://w3id.org/xapi/video/verbs/paused", "paused", { extensions: { [TIME_EXT]: raw("time") } })
);
var stopped = compileTemplate(
  videoStatement("http://adlnet.gov/expapi/verbs/terminated", "terminated", {
    extensions: { [TIME_EXT]: raw("time") }
  })
);
var seeked = compileTemplate(
  videoStatement("https://w3id.org/xapi/video/verbs/seeked", "seeked", {
    extensions: { [TIME_FROM_EXT]: raw("timeFrom"), [TIME_TO_EXT]: raw("timeTo") }
  })
);
var transcriptEnabled = compileTemplate(
  videoStatement("http://adlnet.gov/expapi/verbs/interacted", "interacted", {
    extensions: { [TIME_EXT]: raw("time"), [CC_ENABLED_EXT]: true }
  })
);
var transcriptDisabled = compileTemplate(
  videoStatement("http://adlnet.gov/expapi/verbs/interacted", "interacted", {
    extensions: { [TIME_EXT]: raw("time"), [CC_ENABLED_EXT]: false }
  })
);
function videoTime(rng) {
  return formatPyFloat(randRange(rng, 0, VIDEO_LENGTH_SECONDS));
}
function common4(rng, ctx) {
  return {
    id: ctx.eventId,
    homePage: ctx.world.config.lmsUrl,
    actor: ctx.actorId,
    courseUrl: ctx.course.courseUrl,
    objectId: pick(rng, ctx.course.videos),
    timestamp: ctx.timestamp
  };
}
var videoBuilders = {
  LoadedVideo: (rng, ctx) => fill(loaded, common4(rng, ctx)),
  CompletedVideo: (rng, ctx) => fill(completed, common4(rng, ctx)),
  PlayedVideo: (rng, ctx) => fill(played, { ...common4(rng, ctx), time: videoTime(rng) }),
  PausedVideo: (rng, ctx) => fill(paused, { ...common4(rng, ctx), time: videoTime(rng) }),
  StoppedVideo: (rng, ctx) => fill(stopped, { ...common4(rng, ctx), time: videoTime(rng) }),
  PositionChangedVideo: (rng, ctx) => fill(seeked, { ...common4(rng, ctx), timeFrom: videoTime(rng), timeTo: videoTime(rng) }),
  TranscriptEnabled: (rng, ctx) => fill(transcriptEnabled, { ...common4(rng, ctx), time: videoTime(rng) }),
  TranscriptDisabled: (rng, ctx) => fill(transcriptDisabled, { ...common4(rng, ctx), time: videoTime(rng) })
};

// src/generate/statements/index.ts
var STATEMENT_BUILDERS = Object.freeze({
  ...videoBuilders,
  ...problemBuilders,
  ...navigationBuilders,
  ...enrollmentBuilders,
  ...forumBuilders,
  ...gradeBuilders
});

// src/generate/xapi-batches.ts
var DEFAULT_MIX = createEventMix();
var RECENT_LEARNER_SHARE = 0.25;
var RECENT_STATEMENT_SHARE = 0.3;
var RECENT_SPANS_SECONDS = [SECONDS_PER_DAY, 7 * SECONDS_PER_DAY];
var RECENT_SALT = 7237495;
function isRecentLearner(seed, actorIndex) {
  return hashInts([seed, actorIndex], RECENT_SALT) / 4294967296 < RECENT_LEARNER_SHARE;
}
function emissionSecond(rng, world2, course, entry) {
  const from = course.enrollDays[entry] * SECONDS_PER_DAY;
  const to = (course.endDay + 1) * SECONDS_PER_DAY;
  const { now, seed } = world2.config;
  if (now !== null && isRecentLearner(seed, course.enrolledActors[entry])) {
    if (rng.next() < RECENT_STATEMENT_SHARE) {
      const span = RECENT_SPANS_SECONDS[rng.next() < 0.5 ? 0 : 1];
      const lo = Math.max(from, now - span);
      if (lo < now) return randRange(rng, lo, now);
    }
  }
  return randRange(rng, from, to);
}
function statementFor(rng, world2, type, course, entry) {
  const emissionTime = emissionSecond(rng, world2, course, entry);
  const eventId = randUuid4(rng);
  const timestamp = formatIsoTimestamp(emissionTime);
  const parts = STATEMENT_BUILDERS[type](rng, {
    world: world2,
    course,
    actorId: actorUuid(world2.config, course.enrolledActors[entry]),
    eventId,
    timestamp
  });
  return { eventId, emissionTime, timestamp, eventType: type, course, parts };
}
function visitRandomBatch(world2, batchIndex, visit, mix = DEFAULT_MIX) {
  const { config, courses } = world2;
  const rng = createRng([config.seed, STREAM.xapi, batchIndex]);
  for (let i = 0; i < config.batchSize; i++) {
    const type = drawEventType(mix, rng.next());
    const course = courses[randRange(rng, 0, courses.length)];
    const entry = randRange(rng, 0, course.enrolledActors.length);
    visit(statementFor(rng, world2, type, course, entry));
  }
}
function enrollmentChunkCount(world2) {
  return Math.ceil(world2.totalEnrollments / world2.config.batchSize);
}
function visitEnrollmentBatch(world2, chunk, visit) {
  const { config } = world2;
  const rng = createRng([config.seed, STREAM.enrollments, chunk]);
  const first = chunk * config.batchSize;
  const last = Math.min(world2.totalEnrollments, first + config.batchSize);
  for (let k = first; k < last; k++) {
    const { course, entry } = locateEnrollment(world2, k);
    visit(statementFor(rng, world2, "Registered", course, entry));
  }
}

// src/generate/dataset.ts
function shardBatchRange(numBatches, index, count) {
  return { first: Math.floor(index * numBatches / count), end: Math.floor((index + 1) * numBatches / count) };
}
function planDataset(world2, options = {}) {
  const shard = options.wholeDataset === true ? { index: 0, count: 1 } : { index: world2.config.shardIndex, count: world2.config.shardCount };
  const full = planWhole(world2);
  if (shard.count === 1) return { ...full, shard };
  const { first, end } = shardBatchRange(world2.config.numXapiBatches, shard.index, shard.count);
  const batches = end - first;
  const onFirstShard = shard.index === 0;
  const empty = (key) => ({ key, chunks: 0, rows: 0 });
  const enrollmentChunks = onFirstShard ? full.enrollmentChunks : 0;
  const enrollmentStatements = onFirstShard ? full.enrollmentStatements : 0;
  const randomStatements = batches * world2.config.batchSize;
  const tables = Object.fromEntries(
    TABLE_KEYS.map((key) => [key, onFirstShard || key === "xapi" ? full.tables[key] : empty(key)])
  );
  tables.xapi = { key: "xapi", chunks: enrollmentChunks + batches, rows: enrollmentStatements + randomStatements };
  return { tables, enrollmentChunks, enrollmentStatements, randomStatements, firstRandomBatch: first, shard };
}
function planWhole(world2) {
  const { config, courses } = world2;
  const C = courses.length;
  const P = config.numCoursePublishes;
  const A = config.numActors;
  const R = config.numActorProfileChanges;
  const sum = (f) => courses.reduce((acc, c) => acc + f(c), 0);
  const enrollmentChunks = enrollmentChunkCount(world2);
  const randomStatements = config.numXapiBatches * config.batchSize;
  const table = (key, chunks, rows) => ({ key, chunks, rows });
  return {
    tables: {
      courseOverviews: table("courseOverviews", P, C * P),
      courseBlocks: table("courseBlocks", C, sum((c) => c.blocks.length) * P),
      objectTags: table("objectTags", C, sum((c) => c.objectTags.length) * P),
      taxonomies: table("taxonomies", 1, 1),
      tags: table("tags", 1, 29),
      externalIds: table("externalIds", Math.ceil(A / config.batchSize), A),
      userProfiles: table("userProfiles", Math.ceil(A * R / config.batchSize), A * R),
      xapi: table("xapi", enrollmentChunks + config.numXapiBatches, world2.totalEnrollments + randomStatements)
    },
    enrollmentChunks,
    enrollmentStatements: world2.totalEnrollments,
    randomStatements,
    firstRandomBatch: 0
  };
}
function visitXapiChunk(world2, plan2, index, visit) {
  if (index < plan2.enrollmentChunks) visitEnrollmentBatch(world2, index, visit);
  else visitRandomBatch(world2, plan2.firstRandomBatch + index - plan2.enrollmentChunks, visit);
}
function sinkChunk(world2, table, index) {
  switch (table) {
    case "courseOverviews":
      return courseOverviewRows(world2, index);
    case "courseBlocks":
      return courseBlockRows(world2, index);
    case "objectTags":
      return objectTagRows(world2, index, objectTagRowsBefore(world2, index) + 1);
    case "taxonomies":
      return taxonomyRows(world2);
    case "tags":
      return tagRows(world2);
    case "externalIds":
      return externalIdRows(world2, index);
    case "userProfiles":
      return userProfileRows(world2, index);
  }
}

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

// src/generate/encode.ts
var BOUND_SLOTS = /* @__PURE__ */ new Set(["homePage", "courseUrl"]);
var MAX_BOUND_SPECIALIZATIONS = 4096;
var boundSpecializations = 0;
var templateBytes = [];
function segmentBytes(texts, bind, values) {
  const segments = [];
  const slots = [];
  let current = texts[0];
  for (let i = 0; i < texts.length - 1; i++) {
    if (bind.includes(i)) {
      current += values[i] + texts[i + 1];
    } else {
      segments.push(Buffer.from(current, "latin1"));
      slots.push(i);
      current = texts[i + 1];
    }
  }
  segments.push(Buffer.from(current, "latin1"));
  return { segments, slots, constantBytes: segments.reduce((n, b) => n + b.length, 0) };
}
function bytesOf(template) {
  let bytes = templateBytes[template.id];
  if (!bytes) {
    const bind = [];
    template.slotNames.forEach((name, i) => {
      if (BOUND_SLOTS.has(name)) bind.push(i);
    });
    bytes = {
      generic: {
        json: segmentBytes(template.jsonSegments, [], []),
        csv: segmentBytes(template.csvSegments, [], [])
      },
      bind,
      bound: { json: [], csv: [] },
      idSlot: template.slotNames.indexOf("id"),
      timestampSlot: template.slotNames.indexOf("timestamp")
    };
    templateBytes[template.id] = bytes;
  }
  return bytes;
}
function segmentsFor(statement, encoding) {
  const { template, values } = statement.parts;
  const bytes = bytesOf(template);
  const { bind } = bytes;
  if (bind.length === 0) return bytes.generic[encoding];
  const byCourse = bytes.bound[encoding];
  const courseIndex = statement.course.index;
  let found = byCourse[courseIndex];
  if (found !== void 0) {
    let same = true;
    for (let k = 0; k < bind.length; k++) same &&= values[bind[k]] === found.boundValues[k];
    if (same) return found;
  }
  if (found === void 0 && boundSpecializations >= MAX_BOUND_SPECIALIZATIONS) return bytes.generic[encoding];
  if (found === void 0) boundSpecializations++;
  const texts = encoding === "json" ? template.jsonSegments : template.csvSegments;
  found = { ...segmentBytes(texts, bind, values), boundValues: bind.map((i) => values[i]) };
  byCourse[courseIndex] = found;
  return found;
}
var LINE_OVERHEAD_BYTES = 128;
function writeStatement(out, statement, encoding, idAt = -1, timestampAt = -1) {
  const { values } = statement.parts;
  const { segments, slots, constantBytes } = segmentsFor(statement, encoding);
  const { idSlot, timestampSlot } = bytesOf(statement.parts.template);
  let valueChars = 0;
  for (let i = 0; i < values.length; i++) valueChars += values[i].length;
  out.reserve(constantBytes + valueChars + LINE_OVERHEAD_BYTES);
  out.bytesUnchecked(segments[0]);
  for (let k = 0; k < slots.length; k++) {
    const slot = slots[k];
    const value = values[slot];
    if (slot === idSlot && idAt >= 0 && value === statement.eventId) {
      out.repeatUnchecked(idAt, value.length);
    } else if (slot === timestampSlot && timestampAt >= 0 && value === statement.timestamp) {
      const at = out.length;
      out.repeatUnchecked(timestampAt, value.length);
      out.patchByte(at + TIMESTAMP_T_OFFSET, LETTER_T);
    } else {
      out.asciiUnchecked(value);
    }
    out.bytesUnchecked(segments[k + 1]);
  }
}
var COMMA = 44;
var QUOTE = 34;
var CR = 13;
var LF = 10;
var SPACE = 32;
var LETTER_T = 84;
var TIMESTAMP_T_OFFSET = 10;
var VECTOR_PREFIX = Buffer.from(" [xapi_tracking] [] ");
var STATEMENT_WRITERS = {
  csv: (out, s2) => {
    out.reserve(LINE_OVERHEAD_BYTES);
    const idAt = out.length;
    out.asciiUnchecked(s2.eventId);
    out.byteUnchecked(COMMA);
    const at = out.length;
    out.asciiUnchecked(s2.timestamp);
    out.patchByte(at + TIMESTAMP_T_OFFSET, SPACE);
    out.byteUnchecked(COMMA);
    out.byteUnchecked(QUOTE);
    writeStatement(out, s2, "csv", idAt, at);
    out.byteUnchecked(QUOTE);
    out.byteUnchecked(CR);
    out.byteUnchecked(LF);
  },
  "json-array": (out, s2, first) => {
    if (!first) {
      out.byteUnchecked(COMMA);
      out.byteUnchecked(32);
    }
    writeStatement(out, s2, "json");
  },
  // The minimal line Aspects' Vector regex accepts: ` [xapi_tracking] [] {json}`.
  vector: (out, s2) => {
    out.reserve(LINE_OVERHEAD_BYTES);
    out.bytesUnchecked(VECTOR_PREFIX);
    writeStatement(out, s2, "json");
    out.byteUnchecked(LF);
  }
};
function encodeChunks(out, world2, plan2, table, index, count, encoding, withIds = false) {
  if (count === 1) return encodeChunk(out, world2, plan2, table, index, encoding, withIds);
  if (encoding === "json-array") throw new Error("encodeChunks: JSON-array chunks cannot be grouped");
  out.reset();
  let rows = 0;
  const ids = [];
  for (let i = index; i < index + count; i++) {
    const chunk = encodeChunk(out, world2, plan2, table, i, encoding, withIds, false);
    rows += chunk.rows;
    if (withIds) ids.push(...chunk.ids);
  }
  return { data: out.view(), rows, ids };
}
function encodeChunk(out, world2, plan2, table, index, encoding, withIds = false, reset = true) {
  if (reset) out.reset();
  if (table !== "xapi") {
    if (encoding !== "csv") throw new Error(`encodeChunk: ${table} can only be encoded as csv`);
    const rows2 = sinkChunk(world2, table, index);
    for (const row of rows2) out.text(csvRow(row));
    return { data: out.view(), rows: rows2.length, ids: [] };
  }
  const ids = [];
  let rows = 0;
  const writeLine = STATEMENT_WRITERS[encoding];
  out.reserve(LINE_OVERHEAD_BYTES);
  if (encoding === "json-array") out.byteUnchecked(91);
  visitXapiChunk(world2, plan2, index, (s2) => {
    if (withIds) ids.push(s2.eventId);
    writeLine(out, s2, rows === 0);
    rows++;
  });
  out.reserve(LINE_OVERHEAD_BYTES);
  if (encoding === "json-array") out.byteUnchecked(93);
  return { data: out.view(), rows, ids };
}

// src/run/generate-worker.ts
if (!parentPort) throw new Error("generate-worker must run in a worker thread");
var port = parentPort;
var world;
var plan;
var scratch = new ByteWriter();
function runJob(job) {
  if (!world || !plan) throw new Error("worker used before init");
  const encoded = encodeChunks(scratch, world, plan, job.table, job.index, job.count, job.encoding, job.withIds);
  const bytes = job.gzipLevel === null ? encoded.data : gzipSync(encoded.data, { level: job.gzipLevel });
  const owned = bytes !== encoded.data && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const data = owned ? new Uint8Array(bytes.buffer, 0, bytes.byteLength) : new Uint8Array(bytes);
  return { kind: "result", id: job.id, rows: encoded.rows, rawBytes: encoded.data.byteLength, data, ids: encoded.ids };
}
port.on("message", (message) => {
  if (message.kind === "init") {
    try {
      world = buildWorld(message.config);
      plan = planDataset(world);
      port.postMessage({ kind: "ready" });
    } catch (error) {
      port.postMessage({
        kind: "error",
        id: -1,
        message: String(error?.stack ?? error)
      });
    }
    return;
  }
  try {
    const reply = runJob(message.job);
    port.postMessage(reply, reply.kind === "result" ? [reply.data.buffer] : []);
  } catch (error) {
    port.postMessage({
      kind: "error",
      id: message.job.id,
      message: String(error?.stack ?? error)
    });
  }
});
