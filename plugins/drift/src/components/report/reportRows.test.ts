import { aDriftReport } from '../../testing/fixtures';
import {
  driftedHistograms,
  histogramRows,
  predictionRows,
  pValueAxisFloor,
  pValueRows,
  toPercentages,
} from './reportRows';

describe('report rows', () => {
  it('turns counts or fractions into percentages', () => {
    expect(toPercentages([1, 3])).toEqual([25, 75]);
    expect(toPercentages([0.2, 0.2])).toEqual([50, 50]);
    expect(toPercentages([0, 0])).toEqual([0, 0]);
  });

  it('draws each p-value from 1 down to it, a zero at the floor a decade below the smallest', () => {
    const tests = aDriftReport().tests.slice(0, 2);
    tests[1] = { ...tests[1], pValue: 0 };
    const floor = pValueAxisFloor(tests);
    expect(floor).toBeCloseTo(1e-4);
    expect(pValueRows(tests, floor)).toEqual([
      { name: 'p(class 0)', pValue: 0.3, span: [0.3, 1], drifted: false },
      { name: 'p(class 1)', pValue: 0, span: [floor, 1], drifted: false },
    ]);
  });

  it('leaves the distance tests, which have no p-value, out of the p-value bars', () => {
    const [ks] = aDriftReport().tests;
    const distance = { ...ks, name: 'age', kind: 'wasserstein', pValue: null };
    expect(pValueRows([ks, distance], 1e-4).map(r => r.name)).toEqual([
      'p(class 0)',
    ]);
  });

  it('labels bins by their edges and categories by name', () => {
    expect(
      histogramRows({
        edges: [0, 0.5, 1],
        reference: [3, 1],
        current: [1, 1],
      }),
    ).toEqual([
      { label: '0–0.5', reference: 75, current: 50 },
      { label: '0.5–1', reference: 25, current: 50 },
    ]);
    expect(
      histogramRows({
        categories: ['paris', 'lyon'],
        reference: [0.5, 0.5],
        current: [1, 0],
      }).map(r => r.label),
    ).toEqual(['paris', 'lyon']);
  });

  it('compares the predicted classes in shares, and keeps only the drifted histograms', () => {
    const report = aDriftReport();
    const rows = predictionRows(report.prediction!);
    expect(rows[3].label).toBe('3');
    expect(rows[3].reference).toBeCloseTo(10);
    expect(rows[3].current).toBeCloseTo(30);
    expect(driftedHistograms(report.tests).map(h => h.name)).toEqual([
      'p(class 3)',
      'p(class 5)',
      'p(class 7)',
      'p(class 8)',
    ]);
  });
});
