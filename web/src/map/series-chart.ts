/**
 * A time series of readings (mean and highest per bucket) drawn with uPlot. Loaded with `import()` only when
 * a sensor panel opens, so the map page does not carry the chart library until somebody asks for a chart.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber, formatValue } from './sensor-format';

export interface SeriesData {
  /** Start of each bucket, in seconds since the epoch (uPlot's unit). */
  times: number[];
  mean: number[];
  max: number[];
  bucketSeconds: number;
}

export interface SeriesStyle {
  unit: string;
  timeLabel: string;
  meanLabel: string;
  maxLabel: string;
  /** Days are UTC days: labelled in UTC, they never slip to the evening before. */
  utc: boolean;
}

export interface SeriesChart {
  destroy(): void;
}

const HEIGHT = 190;
const DAY = 86_400;
/** Tick spacings for daily values: whole days, weeks, months, years (uPlot aligns 30 and 365 days to them). */
const DAY_INCREMENTS = [1, 2, 7, 14, 30, 60, 91, 182, 365, 730, 1825, 3650].map((days) => days * DAY);
const MEAN_COLOR = '#0b5d5b';
const MAX_COLOR = '#b45309';
const AXIS = { stroke: '#4f5856', font: '12px system-ui, sans-serif', grid: { stroke: '#e6e2d9', width: 1 } };

export function drawSeries(container: HTMLElement, data: SeriesData, style: SeriesStyle): SeriesChart {
  // A margin each side, so that points at the ends are not cut in half and a single day is a point in the
  // middle of its neighbours rather than a chart of zero width (uPlot would then span years).
  const pad = data.times.length === 1 ? data.bucketSeconds : data.bucketSeconds / 2;
  const first = data.times[0] ?? 0;
  const last = data.times.at(-1) ?? first;
  const fewPoints = data.times.length <= 60;
  const value = (_: uPlot, raw: number | null) => (raw === null ? '–' : formatValue(raw, style.unit));
  const time = timeFormats(style.utc);
  const options: uPlot.Options = {
    width: Math.max(200, container.clientWidth),
    height: HEIGHT,
    ...(style.utc ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC') } : {}),
    scales: {
      x: { time: true, range: [first - pad, last + pad] },
      y: {
        range: (_, min, max) => {
          const low = Math.min(0, min);
          const high = max > low ? max + (max - low) * 0.08 : low + 1;
          return [low, high];
        },
      },
    },
    series: [
      { label: style.timeLabel, value: (_, raw: number | null) => (raw === null ? '–' : time.point(raw)) },
      {
        label: style.meanLabel,
        stroke: MEAN_COLOR,
        width: 2,
        points: { show: fewPoints, size: 6, fill: MEAN_COLOR },
        value,
      },
      {
        label: style.maxLabel,
        stroke: MAX_COLOR,
        width: 1.5,
        dash: [5, 4],
        points: { show: fewPoints, size: 5, fill: '#ffffff' },
        value,
      },
    ],
    axes: [
      {
        ...AXIS,
        ...(data.bucketSeconds >= DAY ? { incrs: DAY_INCREMENTS } : {}),
        values: (_, splits, _axis, _space, increment) => splits.map((split) => time.tick(split, increment)),
      },
      { ...AXIS, size: 48, values: (_, splits) => splits.map((split) => formatNumber(split)) },
    ],
    cursor: { drag: { x: false, y: false } },
  };
  const plot = new uPlot(options, [data.times, data.mean, data.max], container);
  const resize = new ResizeObserver(() => {
    const width = Math.max(200, container.clientWidth);
    if (width !== plot.width) plot.setSize({ width, height: HEIGHT });
  });
  resize.observe(container);
  return {
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}

/** Dates in the reader's language (uPlot's own are American English), in UTC for UTC days. */
function timeFormats(utc: boolean) {
  const zone = utc ? { timeZone: 'UTC' } : {};
  const year = new Intl.DateTimeFormat(undefined, { year: 'numeric', ...zone });
  const month = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', ...zone });
  const day = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', ...zone });
  const hour = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', ...zone });
  const full = new Intl.DateTimeFormat(
    undefined,
    utc ? { dateStyle: 'medium', ...zone } : { dateStyle: 'medium', timeStyle: 'short' },
  );
  const midnight = (date: Date) =>
    utc
      ? date.getUTCHours() === 0 && date.getUTCMinutes() === 0
      : date.getHours() === 0 && date.getMinutes() === 0;
  return {
    tick(seconds: number, increment: number): string {
      const date = new Date(seconds * 1000);
      if (increment >= 365 * DAY) return year.format(date);
      if (increment >= 28 * DAY) return month.format(date);
      // Within a day, midnight says which day it is.
      if (increment >= DAY || midnight(date)) return day.format(date);
      return hour.format(date);
    },
    point: (seconds: number) => full.format(new Date(seconds * 1000)),
  };
}
