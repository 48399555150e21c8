import { formatChartValue } from './formatChartValue';

describe('formatChartValue', () => {
  it.each([
    ['percent', 42, '42 %'],
    ['percent', 4.25, '4.3 %'],
    ['ratio', 0.125, '13 %'],
    ['ratio', 0.05, '5 %'],
    ['bytes', 1.2 * 1024 ** 3, '1.2 GiB'],
    ['perSecond', 3.14, '3.1/s'],
    ['perSecond', 0.0523, '0.052/s'],
    ['seconds', 12, '12 s'],
    ['seconds', 600, '10 min'],
    ['seconds', 5400 * 3, '4.5 h'],
    ['count', 3, '3'],
    ['count', 2.5, '2.5'],
  ] as const)('%s %p reads "%s"', (unit, value, text) => {
    expect(formatChartValue(unit, value)).toBe(text);
  });
});
