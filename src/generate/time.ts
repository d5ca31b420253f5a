/**
 * Time in generated data is whole seconds since the Unix epoch, UTC. Nothing here reads the
 * wall clock: every instant derives from the config's dates.
 */

export const SECONDS_PER_DAY = 86_400;

/** Memo of the ten char codes of `YYYY-MM-DD` per epoch day: timestamps are on the hot path. */
const dayCodes = new Map<number, Uint16Array>();

/** `YYYY-MM-DD` of an epoch day. */
export function formatDay(epochDay: number): string {
  return new Date(epochDay * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10);
}

function codesOfDay(epochDay: number): Uint16Array {
  let codes = dayCodes.get(epochDay);
  if (codes === undefined) {
    const text = formatDay(epochDay);
    codes = Uint16Array.from(text, (c) => c.charCodeAt(0));
    dayCodes.set(epochDay, codes);
  }
  return codes;
}

const ZERO = 48;

/**
 * `YYYY-MM-DD<sep>HH:MM:SS+00:00` in one `fromCharCode` call: a flat string straight away,
 * which measured much cheaper than concatenating pieces and flattening them later.
 */
function formatTimestamp(epochSeconds: number, separator: number): string {
  const d = codesOfDay(Math.floor(epochSeconds / SECONDS_PER_DAY));
  const s = epochSeconds % SECONDS_PER_DAY;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  // biome-ignore format: the timestamp's characters in order
  return String.fromCharCode(
    d[0] as number, d[1] as number, d[2] as number, d[3] as number, 45, d[5] as number, d[6] as number, 45, d[8] as number, d[9] as number,
    separator,
    ZERO + Math.floor(h / 10), ZERO + (h % 10), 58, ZERO + Math.floor(m / 10), ZERO + (m % 10), 58, ZERO + Math.floor(sec / 10), ZERO + (sec % 10),
    43, 48, 48, 58, 48, 48,
  );
}

/** Statement `timestamp`: `2023-06-15T19:51:58+00:00`. */
export function formatIsoTimestamp(epochSeconds: number): string {
  return formatTimestamp(epochSeconds, 84 /* T */);
}

/** `emission_time` column text: `2023-06-15 19:51:58+00:00` (Python `str()` of an aware datetime). */
export function formatEmissionTime(epochSeconds: number): string {
  return formatTimestamp(epochSeconds, 32 /* space */);
}

/** Parses `YYYY-MM-DD` into an epoch day, or returns `null` when the text is not a real date. */
export function parseDay(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const day = ms / (SECONDS_PER_DAY * 1000);
  return formatDay(day) === text ? day : null;
}
