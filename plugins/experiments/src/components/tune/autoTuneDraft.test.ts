import {
  autoTuneDraftFor,
  autoTuneProblems,
  autoTuneRequestFrom,
  AutoTuneDraft,
  DimensionDraft,
  hasProblems,
} from './autoTuneDraft';
import { tunableTemplate } from './testTemplates';

function withDimension(
  name: string,
  patch: Partial<DimensionDraft>,
  draft = autoTuneDraftFor(tunableTemplate),
): AutoTuneDraft {
  return {
    ...draft,
    dimensions: draft.dimensions.map(d =>
      d.name === name ? { ...d, ...patch } : d,
    ),
  };
}

describe('auto-tune draft', () => {
  it("starts from the template's search space, other hyperparameters off", () => {
    const draft = autoTuneDraftFor(tunableTemplate);
    expect(
      draft.dimensions.map(d => [
        d.name,
        d.tuned,
        d.kind,
        d.min,
        d.max,
        d.log,
        d.values,
      ]),
    ).toEqual([
      ['epochs', false, 'range', '1', '50', false, '2'],
      ['learning_rate', true, 'range', '0.0003', '0.01', true, '0.001'],
      ['dropout', true, 'choice', '0', '0.9', false, '0.1, 0.25, 0.5'],
    ]);
    expect(hasProblems(autoTuneProblems(draft, tunableTemplate))).toBe(false);
    expect(autoTuneRequestFrom(draft, tunableTemplate)).toEqual({
      searchSpace: {
        learning_rate: { type: 'loguniform', min: 0.0003, max: 0.01 },
        dropout: { type: 'choice', values: [0.1, 0.25, 0.5] },
      },
      algorithm: 'optuna',
      asha: true,
      budget: { trials: 10, concurrency: 2, timeLimitMinutes: 10 },
      metric: 'test_accuracy',
      mode: 'max',
    });
  });

  it('sends an int range for an integer, a uniform range off the log scale, and null for a default left out', () => {
    let draft = withDimension('epochs', { tuned: true, min: '1', max: '4' });
    draft = withDimension('learning_rate', { log: false }, draft);
    draft = withDimension('dropout', { tuned: false }, draft);
    expect(autoTuneRequestFrom(draft, tunableTemplate).searchSpace).toEqual({
      epochs: { type: 'int', min: 1, max: 4 },
      learning_rate: { type: 'uniform', min: 0.0003, max: 0.01 },
      dropout: null,
    });
  });

  it.each([
    [
      'min above max',
      'learning_rate',
      { min: '0.1', max: '0.01' },
      'min (0.1) must be less than max (0.01)',
    ],
    [
      'empty choices',
      'dropout',
      { values: ' , ' },
      'values: must be a non-empty list',
    ],
    [
      'a choice that is not a number',
      'dropout',
      { values: '0.1, lots' },
      'values[1]: must be a number, got "lots"',
    ],
    [
      'a choice outside the schema',
      'dropout',
      { values: '0.1, 0.95' },
      'values[1]: must be <= 0.9, got 0.95',
    ],
    [
      'a bound outside the schema',
      'learning_rate',
      { max: '2' },
      'max: must be <= 1, got 2',
    ],
    [
      'a bound that is not a number',
      'learning_rate',
      { min: 'small' },
      'min: must be a number, got "small"',
    ],
    [
      'a fractional bound of an integer',
      'epochs',
      { tuned: true, min: '1.5', max: '3' },
      'min: must be an integer, got 1.5',
    ],
    [
      'a log scale from 0',
      'learning_rate',
      { min: '0' },
      'min: must be > 0, got 0',
    ],
  ])('names %s at its hyperparameter', (_, name, patch, message) => {
    const problems = autoTuneProblems(
      withDimension(name, patch),
      tunableTemplate,
    );
    expect(problems.dimensions[name]).toContain(message);
    expect(hasProblems(problems)).toBe(true);
  });

  it('ignores problems of hyperparameters that are not tuned', () => {
    const draft = withDimension('epochs', { tuned: false, min: 'x' });
    expect(hasProblems(autoTuneProblems(draft, tunableTemplate))).toBe(false);
  });

  it('needs one tuned hyperparameter and a budget of whole numbers', () => {
    let draft = withDimension('learning_rate', { tuned: false });
    draft = withDimension('dropout', { tuned: false }, draft);
    draft = {
      ...draft,
      budget: { trials: '0', concurrency: '1.5', timeLimitMinutes: 'soon' },
    };
    expect(autoTuneProblems(draft, tunableTemplate)).toEqual({
      dimensions: {},
      budget: {
        trials: 'must be at least 1',
        concurrency: 'must be a whole number',
        timeLimitMinutes: 'must be a number',
      },
      space: 'Tune at least one hyperparameter.',
    });
  });
});
