import { formatDuration, jobDuration } from './formatDuration';
import { completedEpochs, lastValue, metricRows } from './metricRows';
import { series } from './testing/fixtures';

describe('metricRows', () => {
  it('joins the series into one row per epoch, in epoch order', () => {
    const rows = metricRows([
      { key: 'test_loss', points: [{ step: 2, value: 0.05, timestamp: 9 }] },
      series('train_loss', [0.3, 0.1]),
    ]);
    expect(rows).toEqual([
      { epoch: 1, train_loss: 0.3 },
      { epoch: 2, train_loss: 0.1, test_loss: 0.05 },
    ]);
    expect(completedEpochs([series('train_loss', [0.3, 0.1, 0.05])])).toBe(3);
    const final = {
      key: 'final_test_accuracy',
      points: [{ step: 0, value: 0.989, timestamp: 5 }],
    };
    expect(metricRows([final, series('epoch_seconds', [12])])).toEqual([]);
    expect(completedEpochs([final, series('train_loss', [0.3])])).toBe(1);
    expect(lastValue([final], 'final_test_accuracy')).toBe(0.989);
    expect(lastValue([final], 'final_test_loss')).toBeUndefined();
    expect(completedEpochs([])).toBe(0);
  });
});

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(185_000)).toBe('3m 05s');
    expect(formatDuration(7_440_000)).toBe('2h 04m');
    expect(
      jobDuration({
        startedAt: '2026-11-27T10:00:00Z',
        finishedAt: '2026-11-27T10:00:12Z',
      }),
    ).toBe('12s');
    expect(jobDuration({})).toBeUndefined();
  });
});
