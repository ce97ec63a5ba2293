import { type Quantity, quantities } from './quantities.js';

/**
 * The colours the map paints cells with, by the cell's mean: a value takes the colour of the highest stop
 * at or below it. Radiation follows the steps a reader of Safecast's map knows (background in green, a
 * hundred times background in dark red); particulates follow the US EPA's PM2.5 index breakpoints.
 */
export type ColorStop = [value: number, color: string];

const radiation: ColorStop[] = [
  [0, '#1a9850'],
  [0.1, '#91cf60'],
  [0.2, '#d9ef8b'],
  [0.5, '#fee08b'],
  [1, '#fc8d59'],
  [5, '#d73027'],
  [20, '#7f0000'],
];

const particulates: ColorStop[] = [
  [0, '#1a9850'],
  [12.1, '#fee08b'],
  [35.5, '#fc8d59'],
  [55.5, '#d73027'],
  [150.5, '#7b3294'],
  [250.5, '#7f0000'],
];

const temperature: ColorStop[] = [
  [-30, '#313695'],
  [-10, '#4575b4'],
  [0, '#abd9e9'],
  [10, '#ffffbf'],
  [20, '#fdae61'],
  [30, '#d73027'],
  [40, '#7f0000'],
];

function evenly(quantity: Quantity): ColorStop[] {
  const { min, max } = quantities[quantity];
  const colors = ['#ffffcc', '#c2e699', '#78c679', '#31a354', '#006837'];
  return colors.map((color, index) => [min + ((max - min) * index) / colors.length, color]);
}

export function colorScale(quantity: Quantity): ColorStop[] {
  switch (quantity) {
    case 'radiation':
      return radiation;
    case 'pm1':
    case 'pm2_5':
    case 'pm10':
      return particulates;
    case 'temperature':
      return temperature;
    default:
      return evenly(quantity);
  }
}
