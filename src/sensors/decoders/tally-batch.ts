import { TallyError } from '../../errors.js';
import { isQuantity, type Quantity, quantityNames } from '../quantities.js';
import type { DecodedReading } from './decoded-reading.js';
import {
  FieldErrors,
  instantExpected,
  isRecord,
  malformed,
  parseDecimal,
  parseInstant,
  pointer,
} from './values.js';

/**
 * Tally's own batch formats (README, "Sensors"): JSON `{"readings":[…]}` (or a bare array) and CSV with a
 * header row. Only what cannot be read is refused here; ranges, places and the clock are the readings
 * service's to check against the device.
 */

const columns = ['captured_at', 'quantity', 'value', 'cpm', 'lat', 'lon', 'altitude'] as const;
type Column = (typeof columns)[number];

/** One reading's fields before checking: absent is undefined; a number column holds a number when readable. */
type RawReading = Partial<Record<Column, unknown>>;

export function decodeTallyJsonBatch(body: unknown, maxReadings = 10_000): DecodedReading[] {
  const [items, base] = readingsIn(body);
  if (items.length > maxReadings) throw tooMany(base, maxReadings);
  const errors = new FieldErrors();
  const readings: DecodedReading[] = [];
  items.forEach((item: unknown, index) => {
    if (!isRecord(item)) {
      errors.add(`${base}/${index}`, 'must be an object');
      return;
    }
    const raw: RawReading = {};
    for (const column of columns) raw[column] = item[column] ?? undefined;
    const reading = readReading(raw, (column) => `${base}/${index}/${column}`, errors);
    if (reading) readings.push(reading);
  });
  errors.throwIfAny();
  return readings;
}

/** The readings array and the pointer its items hang from. */
function readingsIn(body: unknown): [unknown[], string] {
  if (Array.isArray(body)) return [body, ''];
  if (!isRecord(body)) throw malformed('', 'must be {"readings":[…]} or an array');
  if (!Array.isArray(body.readings)) throw malformed('/readings', 'must be an array of readings');
  return [body.readings, '/readings'];
}

export function decodeTallyCsv(text: string, maxReadings = 10_000): DecodedReading[] {
  if (typeof text !== 'string') throw malformed('', 'must be CSV text');
  // Spreadsheets save UTF-8 CSV with a byte-order mark.
  const records = csvRecords(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const header = records.next();
  if (header.done || isBlank(header.value.cells)) {
    throw malformed('/rows/1', 'must name the columns, e.g. captured_at,quantity,value');
  }
  const names = headerColumns(header.value.cells);
  const errors = new FieldErrors();
  const readings: DecodedReading[] = [];
  let count = 0;
  for (const { row, cells } of filledRecords(records, errors)) {
    count += 1;
    if (count > maxReadings) throw tooMany('/rows', maxReadings);
    if (cells.length !== names.length) {
      errors.add(`/rows/${row}`, `has ${cells.length} fields where the header names ${names.length}`);
      continue;
    }
    const reading = readReading(rawFromCells(names, cells), (column) => `/rows/${row}/${column}`, errors);
    if (reading) readings.push(reading);
  }
  errors.throwIfAny();
  return readings;
}

interface CsvRecord {
  /** 1-based, the header being 1; a quoted line break does not start a new one. */
  row: number;
  cells: string[];
}

/** The records that hold something; blank lines may only end the file. */
function* filledRecords(records: Iterable<CsvRecord>, errors: FieldErrors): Generator<CsvRecord> {
  const blankRows: number[] = [];
  for (const record of records) {
    if (isBlank(record.cells)) {
      blankRows.push(record.row);
      continue;
    }
    // Reading i is then row i + 2, which the readings service relies on to name a row in its own errors.
    for (const row of blankRows.splice(0)) errors.add(`/rows/${row}`, 'is blank: only the last lines may be');
    yield record;
  }
}

/** Empty cells are absent; number columns are parsed here, and left as text for readReading to refuse. */
function rawFromCells(names: Column[], cells: string[]): RawReading {
  const raw: RawReading = {};
  names.forEach((column, index) => {
    const cell = cells[index]?.trim() ?? '';
    if (cell === '') return;
    raw[column] = column === 'captured_at' || column === 'quantity' ? cell : (parseDecimal(cell) ?? cell);
  });
  return raw;
}

function isBlank(cells: string[]): boolean {
  return cells.length === 1 && cells[0]?.trim() === '';
}

function tooMany(field: string, maxReadings: number): TallyError {
  const message = `must hold at most ${maxReadings} readings; send the rest in another batch`;
  return new TallyError('too_many_readings', `${field || 'the body'}: ${message}`, [{ field, message }]);
}

function headerColumns(cells: string[]): Column[] {
  const errors = new FieldErrors();
  const names: Column[] = [];
  for (const cell of cells) {
    const name = cell.trim().toLowerCase();
    const field = pointer('rows', 1, name);
    if (!(columns as readonly string[]).includes(name)) {
      errors.add(field, `is not a column Tally reads (${columns.join(', ')})`);
    } else if (names.includes(name as Column)) {
      errors.add(field, 'is named twice');
    } else {
      names.push(name as Column);
    }
  }
  if (!names.includes('captured_at')) errors.add('/rows/1', 'must name a captured_at column');
  if (!names.includes('value') && !names.includes('cpm')) {
    errors.add('/rows/1', 'must name a value or cpm column');
  }
  errors.throwIfAny();
  return names;
}

function readReading(
  raw: RawReading,
  at: (column: Column) => string,
  errors: FieldErrors,
): DecodedReading | null {
  const before = errors.count;
  const capturedAt = readInstant(raw.captured_at, at('captured_at'), errors);
  const value = readNumber(raw.value, at('value'), errors);
  const cpm = readNumber(raw.cpm, at('cpm'), errors);
  const lat = readNumber(raw.lat, at('lat'), errors);
  const lon = readNumber(raw.lon, at('lon'), errors);
  const altitude = readNumber(raw.altitude, at('altitude'), errors);
  const quantity = readQuantity(raw.quantity, cpm !== undefined, at('quantity'), errors);
  const given = (field: unknown) => field !== undefined;
  if (given(value) && given(cpm)) errors.add(at('cpm'), 'cannot come with a value: give one');
  if (!given(value) && !given(cpm)) errors.add(at('value'), 'is required (or cpm, for radiation)');
  if (given(cpm) && quantity && quantity !== 'radiation') errors.add(at('cpm'), 'is for radiation only');
  if (given(lat) && !given(lon)) errors.add(at('lon'), 'is required with lat');
  if (given(lon) && !given(lat)) errors.add(at('lat'), 'is required with lon');
  const measured = cpm ?? value;
  if (errors.count > before || capturedAt === null || quantity === null || measured == null) return null;
  const reading: DecodedReading = {
    quantity,
    value: measured,
    unit: cpm === undefined ? 'native' : 'cpm',
    capturedAt,
  };
  if (lat != null && lon != null) {
    reading.lat = lat;
    reading.lon = lon;
  }
  if (altitude != null) reading.altitude = altitude;
  return reading;
}

/** undefined when absent, null when present but unreadable (and reported). */
function readNumber(raw: unknown, field: string, errors: FieldErrors): number | null | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  errors.add(field, 'must be a number');
  return null;
}

function readInstant(raw: unknown, field: string, errors: FieldErrors): number | null {
  if (raw === undefined) {
    errors.add(field, 'is required');
    return null;
  }
  const instant = typeof raw === 'string' ? parseInstant(raw) : null;
  if (instant === null) errors.add(field, instantExpected);
  return instant;
}

function readQuantity(raw: unknown, hasCpm: boolean, field: string, errors: FieldErrors): Quantity | null {
  if (raw === undefined) {
    if (hasCpm) return 'radiation';
    errors.add(field, 'is required');
    return null;
  }
  if (typeof raw === 'string' && isQuantity(raw)) return raw;
  errors.add(field, `must be one of ${quantityNames.join(', ')}`);
  return null;
}

/**
 * RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF or
 * LF. A quote inside an unquoted field is taken as it is.
 */
function* csvRecords(text: string): Generator<CsvRecord> {
  let at = 0;
  for (let row = 1; at < text.length; row += 1) {
    const cells: string[] = [];
    for (;;) {
      if (text[at] === '"') {
        const [cell, end] = quotedField(text, at, row);
        cells.push(cell);
        at = end;
        if (at < text.length && !',\r\n'.includes(text.charAt(at))) {
          throw malformed(`/rows/${row}`, 'has text after the closing quote of a field');
        }
      } else {
        let end = at;
        while (end < text.length && !',\r\n'.includes(text.charAt(end))) end += 1;
        cells.push(text.slice(at, end));
        at = end;
      }
      if (text[at] !== ',') break;
      at += 1;
    }
    if (text[at] === '\r') at += 1;
    if (text[at] === '\n') at += 1;
    yield { row, cells };
  }
}

/** The field's text and where its closing quote ends. */
function quotedField(text: string, start: number, row: number): [string, number] {
  let cell = '';
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote === -1) throw malformed(`/rows/${row}`, 'has a quoted field that never ends');
    cell += text.slice(from, quote);
    if (text[quote + 1] !== '"') return [cell, quote + 1];
    cell += '"';
    from = quote + 2;
  }
}
