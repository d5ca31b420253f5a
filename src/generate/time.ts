/**
 * Time in generated data is whole seconds since the Unix epoch, UTC. Nothing here reads the
 * wall clock: every instant derives from the config's dates.
 */

export const SECONDS_PER_DAY = 86_400;

const TWO_DIGITS: string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** Memo of `YYYY-MM-DD` per epoch day: formatting dates is on the hot path. */
const dayCache = new Map<number, string>();

/** `YYYY-MM-DD` of an epoch day. */
export function formatDay(epochDay: number): string {
  let text = dayCache.get(epochDay);
  if (text === undefined) {
    text = new Date(epochDay * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10);
    dayCache.set(epochDay, text);
  }
  return text;
}

function timeOfDay(seconds: number): string {
  const s = seconds % SECONDS_PER_DAY;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[s % 60]}`;
}

/** Statement `timestamp`: `2023-06-15T19:51:58+00:00`. */
export function formatIsoTimestamp(epochSeconds: number): string {
  return `${formatDay(Math.floor(epochSeconds / SECONDS_PER_DAY))}T${timeOfDay(epochSeconds)}+00:00`;
}

/** `emission_time` column text: `2023-06-15 19:51:58+00:00` (Python `str()` of an aware datetime). */
export function formatEmissionTime(epochSeconds: number): string {
  return `${formatDay(Math.floor(epochSeconds / SECONDS_PER_DAY))} ${timeOfDay(epochSeconds)}+00:00`;
}

/** Parses `YYYY-MM-DD` into an epoch day, or returns `null` when the text is not a real date. */
export function parseDay(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const day = ms / (SECONDS_PER_DAY * 1000);
  return formatDay(day) === text ? day : null;
}
