/** Numbers of sensor readings as people read them: a few significant digits, never a float's noise. */

const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const significant = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 3 });

export function formatNumber(value: number): string {
  // Three significant digits would turn 1013 hPa into 1,010.
  return Math.abs(value) >= 100 ? whole.format(value) : significant.format(value);
}

export function formatValue(value: number, unit: string): string {
  return unit ? `${formatNumber(value)}\u00a0${unit}` : formatNumber(value);
}

export function formatCount(value: number): string {
  return whole.format(value);
}

const utcDay = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** A UTC day (as the API counts days) given in seconds since the epoch, e.g. “20 Sep 2012”. */
export function formatDay(seconds: number): string {
  return utcDay.format(new Date(seconds * 1000));
}

const roughly = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 2 });

/** A rough distance, e.g. “1.2 km” or “390 m”: two digits are all a hexagon's width needs. */
export function formatDistance(metres: number): string {
  return metres >= 1000 ? `${roughly.format(metres / 1000)}\u00a0km` : `${roughly.format(metres)}\u00a0m`;
}
