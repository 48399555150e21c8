import { lastResults } from './DriftCheckRunner';

const report = {
  kind: 'mlops.drift_report',
  verdict: 'NO_DRIFT',
  method: 'bbsd-ks',
  window: { requests: 10, instances: 10 },
  referenceInstances: 1000,
  alpha: 0.05,
  driftScore: 0,
  tests: [],
};

describe('lastResults', () => {
  it('takes the report line among Ray and Python log lines, without its kind', () => {
    const logs = [
      '2026-12-04 10:00:00,000 INFO worker.py:1 -- Connecting to existing Ray cluster',
      '{"kind": "mlops.progress", "message": "reading the log"}',
      '{not json at all',
      JSON.stringify(report),
      '',
    ].join('\n');
    const { kind: _kind, ...expected } = report;
    expect(lastResults(logs)).toEqual({ report: expected, error: undefined });
  });

  it('reads the error line of a failed check', () => {
    const logs = `Traceback...\n${JSON.stringify({
      kind: 'mlops.error',
      reason: 'no drift reference',
      message: 'version 3 has no drift reference: retrain it',
    })}\n`;
    expect(lastResults(logs)).toEqual({
      report: undefined,
      error: 'version 3 has no drift reference: retrain it',
    });
  });

  it('finds nothing in a log without result lines', () => {
    expect(lastResults('Killed\n{"kind": "mlops.error"}\n')).toEqual({
      report: undefined,
      error: undefined,
    });
  });
});
