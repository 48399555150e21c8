import { failureReason, parseMlopsEvents } from './jobLog';

const line = (kind: string, fields: object) =>
  JSON.stringify({ kind: `mlops.${kind}`, ...fields });

describe('training log lines', () => {
  it('reads the MLflow run and the registered model version', () => {
    const logs = [
      'Running entrypoint for job x',
      line('run_started', { mlflowRunId: 'r1', mlflowExperimentId: '4' }),
      line('progress', { epoch: 1, epochs: 2, metrics: { loss: 0.2 } }),
      'mlops.result {"mlflowRunId": "r1", "registeredModel": {"name": "m", "version": "3"}}',
    ].join('\n');
    expect(parseMlopsEvents(logs)).toEqual({
      patch: {
        mlflowRunId: 'r1',
        mlflowExperimentId: '4',
        registeredModel: { name: 'm', version: '3' },
      },
      error: undefined,
    });
    expect(parseMlopsEvents('{"kind": "other"}\n{broken mlops.')).toEqual({
      patch: {},
      error: undefined,
    });
  });

  it('gives the reason the training code reported', () => {
    const logs = `x\n${line('error', {
      reason: 'dataset not found',
      message: 'no IDX files in /data',
    })}\nTraceback ...`;
    expect(failureReason(logs)).toBe(
      'dataset not found: no IDX files in /data',
    );
  });

  it('says when a worker ran out of memory', () => {
    expect(
      failureReason(
        'epoch 1\nray.exceptions.OutOfMemoryError: Task was killed due to the node running low on memory.\n',
      ),
    ).toMatch(/^worker ran out of memory: ray\.exceptions\.OutOfMemoryError/);
  });

  it("gives the last lines of a traceback, else Ray's message", () => {
    const traceback = [
      'Traceback (most recent call last):',
      '  File "train.py", line 3, in <module>',
      '    main()',
      '  File "train.py", line 2, in main',
      '    raise ValueError("bad labels")',
      'ValueError: bad labels',
    ].join('\n');
    const reason = failureReason(`${traceback}\n\n`);
    expect(reason.split('\n')).toEqual([
      'training failed:',
      ...traceback.split('\n').slice(-5),
    ]);
    expect(failureReason('', 'runtime env setup failed')).toBe(
      'training failed: runtime env setup failed',
    );
  });
});
