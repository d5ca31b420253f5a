/** The runner's stopwatch, injected so tests can drive time. Milliseconds, monotonic. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };

/** `H:MM:SS.ffffff`, like Python's `timedelta` (the original printed durations this way). */
export function formatDuration(ms: number): string {
  const totalMicros = Math.max(0, Math.round(ms * 1000));
  const micros = totalMicros % 1_000_000;
  const totalSeconds = Math.floor(totalMicros / 1_000_000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(micros).padStart(6, '0')}`;
}
