import { trialsFromLog } from './trialLines';

function line(fields: Record<string, unknown>) {
  return JSON.stringify({ kind: 'mlops.trial', seed: 3, ...fields });
}

const started = (trialId: string, lr: number) =>
  line({
    trialId,
    state: 'RUNNING',
    config: { learning_rate: lr },
    hyperparameters: { learning_rate: lr, epochs: 2 },
    epoch: 0,
    metrics: {},
    elapsedSeconds: 0.5,
    mlflowRunId: `run-${trialId}`,
  });

const epoch = (
  trialId: string,
  n: number,
  accuracy: number,
  state = 'RUNNING',
) =>
  line({
    trialId,
    state,
    config: { learning_rate: 0.01 },
    hyperparameters: { learning_rate: 0.01, epochs: 2 },
    epoch: n,
    metrics: { test_accuracy: accuracy, test_loss: 1 - accuracy },
    elapsedSeconds: 10 * n,
    mlflowRunId: `run-${trialId}`,
  });

describe('trialsFromLog', () => {
  it('keeps the latest state of each trial with its epochs, among other log lines', () => {
    const logs = [
      '2026-11-27 10:00:00 INFO starting Ray',
      started('a', 0.01),
      '{"not json',
      started('b', 0.001),
      epoch('a', 1, 0.95),
      JSON.stringify({ kind: 'mlops.progress', epoch: 1 }),
      epoch('a', 2, 0.97, 'SUCCEEDED'),
      epoch('b', 1, 0.9, 'STOPPED'),
      line({ trialId: 'c', state: 'EXPLODED' }),
      '',
    ].join('\n');
    const trials = trialsFromLog(logs, {
      metric: 'test_accuracy',
      mode: 'max',
    });
    expect(trials.map(t => [t.trialId, t.state, t.best])).toEqual([
      ['a', 'SUCCEEDED', true],
      ['b', 'STOPPED', false],
    ]);
    expect(
      trials[0].history.map(e => [
        e.epoch,
        e.elapsedSeconds,
        e.metrics.test_accuracy,
      ]),
    ).toEqual([
      [1, 10, 0.95],
      [2, 20, 0.97],
    ]);
    expect(trials[0]).toMatchObject({
      seed: 3,
      mlflowRunId: 'run-a',
      metrics: { test_accuracy: 0.97 },
    });
  });

  it('picks the best trial so far by the metric and mode, then the one the tune names', () => {
    const running = [
      started('a', 0.01),
      started('b', 0.001),
      epoch('a', 1, 0.95),
      epoch('b', 1, 0.9),
    ].join('\n');
    const best = (
      logs: string,
      mode: 'max' | 'min',
      metric = 'test_accuracy',
    ) =>
      trialsFromLog(logs, { metric: metric as 'test_accuracy', mode })
        .filter(t => t.best)
        .map(t => t.trialId);
    expect(best(running, 'max')).toEqual(['a']);
    expect(best(running, 'min')).toEqual(['b']);
    expect(best(running, 'min', 'test_loss')).toEqual(['a']);
    expect(best(started('a', 0.1), 'max')).toEqual([]);
    const ended = `${running}\n${JSON.stringify({
      kind: 'mlops.result',
      bestTrialId: 'b',
    })}`;
    expect(best(ended, 'max')).toEqual(['b']);
  });

  it('keeps one entry per epoch when a restarted trial reports an epoch again', () => {
    const logs = [epoch('a', 1, 0.9), epoch('a', 1, 0.91)].join('\n');
    const [trial] = trialsFromLog(logs, {
      metric: 'test_accuracy',
      mode: 'max',
    });
    expect(trial.history.map(e => e.metrics.test_accuracy)).toEqual([0.91]);
  });
});
