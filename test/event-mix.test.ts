/** The event-type mix over 100k random statements follows the configured weights. */

import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, EVENT_WEIGHTS, type EventType } from '../src/generate/event-types.ts';
import { buildWorld } from '../src/generate/world.ts';
import { randomBatch } from '../src/generate/xapi-batches.ts';
import { makeTestConfig } from './support/config.ts';

describe('event mix', () => {
  const config = makeTestConfig({ batchSize: 1000, numXapiBatches: 100 });
  const world = buildWorld(config);
  const counts = new Map<EventType, number>();
  let n = 0;
  for (let b = 0; b < config.numXapiBatches; b++) {
    for (const s of randomBatch(world, b)) {
      counts.set(s.eventType, (counts.get(s.eventType) ?? 0) + 1);
      n++;
    }
  }
  const total = Object.values(EVENT_WEIGHTS).reduce((a, b) => a + b, 0);

  it('draws 100,000 statements', () => {
    expect(n).toBe(100_000);
  });

  it.each(EVENT_TYPES.filter((t) => EVENT_WEIGHTS[t] >= 0.5))('%s share is within 5 sigma of its weight', (type) => {
    const p = EVENT_WEIGHTS[type] / total;
    const observed = (counts.get(type) ?? 0) / n;
    const sigma = Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(observed - p)).toBeLessThan(5 * sigma);
  });

  it('rare types stay rare and the never-drawn type is never drawn', () => {
    for (const type of EVENT_TYPES.filter((t) => EVENT_WEIGHTS[t] < 0.5)) {
      const expected = (EVENT_WEIGHTS[type] / total) * n;
      expect(counts.get(type) ?? 0, type).toBeLessThanOrEqual(expected + 6 * Math.sqrt(expected) + 3);
    }
    expect(counts.get('SubsectionGradeCalculated') ?? 0).toBe(0);
  });
});
