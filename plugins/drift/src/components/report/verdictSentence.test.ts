import { aDriftReport, aQuietReport } from '../../testing/fixtures';
import { predictionSentence, verdictSentence } from './verdictSentence';

describe('verdictSentence', () => {
  it('counts the rejected tests and names the corrected level', () => {
    expect(verdictSentence(aDriftReport())).toBe(
      'Drift detected: 4 of 10 tests (class probabilities, input statistics) rejected at α/10 = 0.005.',
    );
    expect(verdictSentence(aQuietReport())).toBe(
      'No drift: none of the 10 tests (class probabilities, input statistics) rejected at α/10 = 0.005.',
    );
  });

  it('counts the drifted features of a table', () => {
    const feature = (name: string, drifted: boolean) => ({
      name,
      kind: 'wasserstein',
      statistic: drifted ? 0.3 : 0.01,
      pValue: null,
      threshold: 0.1,
      drifted,
    });
    const tests = [
      feature('age', true),
      feature('income', true),
      feature('city', false),
      feature('tenure', false),
    ];
    expect(
      verdictSentence(
        aDriftReport({ method: 'tabular-features', tests, prediction: null }),
      ),
    ).toBe('Drift detected: 2 of 4 features drifted (50 %).');
    expect(
      verdictSentence(
        aDriftReport({
          verdict: 'NO_DRIFT',
          method: 'tabular-features',
          tests: [feature('age', true), ...tests.slice(2)],
        }),
      ),
    ).toBe(
      'No drift: 1 of 3 features drifted (33 %), fewer than it takes to call drift.',
    );
  });

  it('says how many inputs were missing, or that the model had no request', () => {
    expect(
      verdictSentence(
        aDriftReport({
          verdict: 'NOT_ENOUGH_DATA',
          window: { requests: 12, instances: 12 },
          tests: [],
        }),
      ),
    ).toBe('Not enough data: 12 inputs in the window, need 30.');
    expect(
      verdictSentence(
        aDriftReport({
          verdict: 'NOT_ENOUGH_DATA',
          window: { requests: 1, instances: 1 },
          tests: [],
        }),
      ),
    ).toBe('Not enough data: 1 input in the window, need 30.');
    expect(
      verdictSentence(
        aDriftReport({
          verdict: 'NOT_ENOUGH_DATA',
          method: 'none',
          window: { requests: 0, instances: 0 },
          tests: [],
        }),
      ),
    ).toBe(
      'Not enough data: no version of mnist-cnn answered a request in the window.',
    );
  });
});

describe('predictionSentence', () => {
  it('tells whether the predicted classes shifted, with the p-value', () => {
    expect(predictionSentence(aDriftReport().prediction ?? null)).toBe(
      'The shares of the predicted classes shifted too (χ² test, p = 3.2e-7).',
    );
    expect(predictionSentence(aQuietReport().prediction ?? null)).toBe(
      'The shares of the predicted classes held (χ² test, p = 0.9).',
    );
  });
});
