import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AggregatedReading, cellDeltas, cellResolutions, dayOf, resolutionForZoom } from './cells.js';

const reading = (overrides: Partial<AggregatedReading> = {}): AggregatedReading => ({
  quantity: 'radiation',
  value: 0.1,
  capturedMs: Date.UTC(2026, 10, 26, 4),
  lat: 37.4214,
  lon: 141.0328,
  deviceId: 'device-1',
  importId: null,
  ...overrides,
});

describe('cell deltas', () => {
  it('fold readings in one cell into one delta per resolution with count, sum, min, max and latest', () => {
    const { cells } = cellDeltas([
      reading({ value: 0.1 }),
      reading({ value: 0.3, capturedMs: Date.UTC(2026, 10, 26, 5) }),
      reading({ value: 0.2, capturedMs: Date.UTC(2026, 10, 26, 3) }),
    ]);
    assert.equal(cells.length, cellResolutions.length);
    for (const cell of cells) {
      assert.deepEqual(
        [cell.count, Math.round(cell.sum * 10) / 10, cell.min, cell.max, cell.latestValue],
        [3, 0.6, 0.1, 0.3, 0.3],
      );
    }
  });

  it('keep a day apart from the next', () => {
    const { days } = cellDeltas([reading(), reading({ capturedMs: Date.UTC(2026, 10, 27, 1) })]);
    assert.deepEqual(
      [...new Set(days.map((day) => day.day))],
      [dayOf(Date.UTC(2026, 10, 26)), dayOf(Date.UTC(2026, 10, 27))],
    );
  });

  it('name each drive that passed through a cell, and live readings as no drive', () => {
    const { sources } = cellDeltas([reading({ importId: 'drive-1' }), reading({ capturedMs: 1 })]);
    const finest = sources.filter((source) => source.resolution === 9);
    assert.deepEqual(finest.map((source) => source.importId).sort(), ['', 'drive-1']);
  });

  it('leave out readings without a position', () => {
    assert.deepEqual(cellDeltas([reading({ lat: null, lon: null })]), { cells: [], days: [], sources: [] });
  });

  it('come sorted by key, so concurrent writers lock rows in the same order', () => {
    const { cells } = cellDeltas([reading({ lat: 52.3, lon: 4.7 }), reading({ lat: -33.9, lon: 151.2 })]);
    const keys = cells.map((cell) => `${cell.quantity}|${cell.resolution}|${cell.cell}`);
    assert.deepEqual(keys, [...keys].sort());
  });
});

describe('resolution for zoom', () => {
  it('grows finer as the map zooms in', () => {
    assert.deepEqual([0, 4, 7, 10, 13, 18].map(resolutionForZoom), [1, 3, 5, 7, 9, 9]);
  });
});
