/** Random scores, shared by the evaluated-problem and grade statements. */

import { type Rng, randInt } from '../rng.ts';
import { formatPyFloat } from '../template.ts';

/** A drawn score: the `SCORE` slot values, and the scaled value for decisions such as Pass/Fail. */
export interface DrawnScore {
  readonly slots: {
    /** `raw / max` printed the Python way (`0.4`, `0.08791208791208792`, `0.0`, `1.0`). */
    readonly scaled: string;
    readonly scoreRaw: string;
    readonly scoreMax: string;
  };
  readonly scaled: number;
}

const MAX_SCORE = 100;
/** `scaled` text by `raw * (MAX_SCORE + 1) + max`, filled as drawn: float printing is costly. */
const scaledText: (string | undefined)[] = new Array((MAX_SCORE + 1) * (MAX_SCORE + 1));

/** `max = randint(1, 100)`, `raw = randint(0, max)`, `scaled = raw / max` (as the original). */
export function drawScore(rng: Rng): DrawnScore {
  const max = randInt(rng, 1, MAX_SCORE);
  const raw = randInt(rng, 0, max);
  const scaled = raw / max;
  const key = raw * (MAX_SCORE + 1) + max;
  let text = scaledText[key];
  if (text === undefined) {
    text = formatPyFloat(scaled);
    scaledText[key] = text;
  }
  return { slots: { scaled: text, scoreRaw: String(raw), scoreMax: String(max) }, scaled };
}
