/** One colour scale, read the same way by the map's paint expressions and by the HTML around the map. */
import type { ExpressionSpecification } from 'maplibre-gl';
import type { ColorStop } from './sensor-api';

const NO_SCALE_COLOR = '#6b7280';

/** A MapLibre `step` expression: below the second stop the first colour, then each stop's colour upwards. */
export function stepExpression(
  scale: ColorStop[],
  input: ExpressionSpecification,
): ExpressionSpecification | string {
  const [first, ...rest] = scale;
  if (!first) return NO_SCALE_COLOR;
  if (rest.length === 0) return first.color;
  return [
    'step',
    input,
    first.color,
    ...rest.flatMap((stop) => [stop.value, stop.color]),
  ] as ExpressionSpecification;
}

/** The colour of the highest stop at or below `value` (the first stop's below the scale). */
export function colorFor(value: number, scale: ColorStop[]): string {
  let color = scale[0]?.color ?? NO_SCALE_COLOR;
  for (const stop of scale) {
    if (value >= stop.value) color = stop.color;
    else break;
  }
  return color;
}

export interface ScaleBand {
  color: string;
  /** Where the band starts; undefined for the first, which also takes every lower value. */
  from?: number;
  /** Where the next band starts; undefined for the last. */
  until?: number;
}

/** The scale as the bands a legend lists. */
export function scaleBands(scale: ColorStop[]): ScaleBand[] {
  return scale.map((stop, index) => {
    const next = scale[index + 1];
    const band: ScaleBand = { color: stop.color };
    if (index > 0) band.from = stop.value;
    if (next) band.until = next.value;
    return band;
  });
}
