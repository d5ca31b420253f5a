/**
 * Journeys time: every instant is an integer count of microseconds since the epoch (UTC), so
 * simulated clocks add exactly and sort as numbers.
 */

export const US_PER_SECOND = 1_000_000;
export const US_PER_DAY = 86_400 * US_PER_SECOND;

const NOW_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses `now`: a YAML timestamp (already a `Date`) or text such as `2026-10-08 12:00:00`,
 * `2026-10-08T12:00:00.5+02:00`. Text without an offset is UTC; an offset is converted (upstream
 * relabelled it as UTC, reference §9 quirk 5). Returns `null` when unparsable.
 */
export function parseNow(value: unknown): number | null {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? null : ms * 1000;
  }
  if (typeof value !== 'string') return null;
  const m = NOW_TEXT.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (Number.isNaN(ms) || check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMinutes = (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return ms * 1000 + Number(frac.padEnd(6, '0')) - offsetMinutes * 60 * US_PER_SECOND;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function parts(us: number): { date: string; clock: string; micros: number } {
  const micros = ((us % US_PER_SECOND) + US_PER_SECOND) % US_PER_SECOND;
  const d = new Date((us - micros) / 1000);
  return {
    date: `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`,
    clock: `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`,
    micros,
  };
}

/** Both renderings of one instant (one date computation for the two). */
export function formatBothTimes(us: number): { csv: string; statement: string } {
  const p = parts(us);
  const micros = String(p.micros).padStart(6, '0');
  return {
    csv: `${p.date} ${p.clock}.${micros}`,
    statement: p.micros === 0 ? `${p.date}T${p.clock}+00:00` : `${p.date}T${p.clock}.${micros}+00:00`,
  };
}

/** CSV time columns: `2026-10-08 12:00:00.000000` (UTC, always six fractional digits). */
export function formatCsvTime(us: number): string {
  const p = parts(us);
  return `${p.date} ${p.clock}.${String(p.micros).padStart(6, '0')}`;
}

/** Statement `timestamp`: `2026-10-08T12:00:00+00:00`, with `.ffffff` only when non-zero. */
export function formatStatementTime(us: number): string {
  const p = parts(us);
  return p.micros === 0
    ? `${p.date}T${p.clock}+00:00`
    : `${p.date}T${p.clock}.${String(p.micros).padStart(6, '0')}+00:00`;
}
