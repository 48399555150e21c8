import { accuracySentence } from './accuracySentence';

describe('accuracySentence', () => {
  it('puts the real accuracy beside the estimated one', () => {
    expect(
      accuracySentence({
        estimated: 0.71,
        reference: 0.98,
        real: 0.69,
        labelled: 100,
      }),
    ).toBe(
      'Accuracy: estimated 71 % · real 69 % on 100 labelled inputs (reference 98 %)',
    );
    expect(accuracySentence({ real: 1, labelled: 1 })).toBe(
      'Accuracy: no estimate · real 100 % on 1 labelled input',
    );
  });

  it('says nothing of the real accuracy without labelled inputs', () => {
    const expected = 'Accuracy: estimated 71 % (reference 98 %)';
    expect(accuracySentence({ estimated: 0.71, reference: 0.98 })).toBe(
      expected,
    );
    expect(
      accuracySentence({
        estimated: 0.71,
        reference: 0.98,
        real: null,
        labelled: 0,
      }),
    ).toBe(expected);
    expect(
      accuracySentence({
        estimated: 0.71,
        reference: 0.98,
        real: 0,
        labelled: 0,
      }),
    ).toBe(expected);
  });

  it('says nothing when nothing is known', () => {
    expect(accuracySentence({ method: 'atc' })).toBeUndefined();
    expect(accuracySentence({ real: null, labelled: 0 })).toBeUndefined();
  });
});
