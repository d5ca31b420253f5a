/**
 * The 22 statement types the original tool knows, and the event mix it draws random statements
 * from (the 1.5.0/current weights; they sum to 100, so a weight is a percentage).
 */

export const EVENT_TYPES = [
  'CourseGradeCalculated',
  'PlayedVideo',
  'NextNavigation',
  'BrowserProblemCheck',
  'ServerProblemCheck',
  'PausedVideo',
  'LoadedVideo',
  'CompletedVideo',
  'PositionChangedVideo',
  'StoppedVideo',
  'ShowAnswer',
  'Registered',
  'PreviousNavigation',
  'PostCreated',
  'Unregistered',
  'ShowHint',
  'TranscriptEnabled',
  'TranscriptDisabled',
  'FirstTimePassed',
  'TabSelectedNavigation',
  'LinkClicked',
  'SubsectionGradeCalculated',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Random-event weights. `SubsectionGradeCalculated` has a template but weight 0, as in the
 * original (it is never drawn); `Record<EventType, …>` makes the compiler catch a missing row.
 */
export const EVENT_WEIGHTS: Readonly<Record<EventType, number>> = {
  CourseGradeCalculated: 20.0,
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
  TabSelectedNavigation: 0.001,
  LinkClicked: 0.001,
  SubsectionGradeCalculated: 0,
};

/** The types that can be drawn, and their cumulative weights, for a binary-search draw. */
export interface EventMix {
  readonly types: readonly EventType[];
  readonly cumulative: Float64Array;
  readonly total: number;
}

export function createEventMix(weights: Readonly<Record<EventType, number>> = EVENT_WEIGHTS): EventMix {
  const types = EVENT_TYPES.filter((t) => weights[t] > 0);
  const cumulative = new Float64Array(types.length);
  let total = 0;
  types.forEach((t, i) => {
    total += weights[t];
    cumulative[i] = total;
  });
  return { types, cumulative, total };
}

/** Draws one type: `u` is a uniform float in [0, 1). */
export function drawEventType(mix: EventMix, u: number): EventType {
  const target = u * mix.total;
  let lo = 0;
  let hi = mix.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((mix.cumulative[mid] as number) > target) hi = mid;
    else lo = mid + 1;
  }
  return mix.types[lo] as EventType;
}
