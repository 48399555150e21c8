import { problemLine, problemText, uploadRejection } from './uploadRejection';
import { responseError } from './testFixtures';

describe('uploadRejection', () => {
  it("splits a check's rejection into its problems", async () => {
    const rejection = uploadRejection(
      await responseError(
        400,
        'Custom model "m" does not implement the interface: line 3: invalid syntax; forward on a (2, 1, 28, 28) batch must return (2, 10) logits, got shape (2, 3)',
      ),
    );
    expect(rejection.summary).toBe(
      'Custom model "m" does not implement the interface',
    );
    expect(
      rejection.problems.map(p => [problemLine(p), problemText(p)]),
    ).toEqual([
      [3, 'invalid syntax'],
      [
        undefined,
        'forward on a (2, 1, 28, 28) batch must return (2, 10) logits, got shape (2, 3)',
      ],
    ]);
  });

  it('splits invalid fields', async () => {
    const rejection = uploadRejection(
      await responseError(
        400,
        'Invalid custom model: name must be 2-63 characters; source must be the Python module as text',
      ),
    );
    expect(rejection).toEqual({
      summary: 'Invalid custom model',
      problems: [
        { code: 'problem', message: 'name must be 2-63 characters' },
        {
          code: 'problem',
          message: 'source must be the Python module as text',
        },
      ],
    });
  });

  it('takes a structured problems list, with lines, when the error carries one', async () => {
    const problems = [
      {
        code: 'build_failed',
        message: 'build_model(config) raised KeyError: hidden',
        line: 12,
      },
    ];
    const rejection = uploadRejection(
      await responseError(
        400,
        'Custom model "m" does not implement the interface: build_model(config) raised KeyError: hidden',
        { problems },
      ),
    );
    expect(rejection).toEqual({
      summary: 'Custom model "m" does not implement the interface',
      problems,
    });
    expect(problemLine(rejection.problems[0])).toBe(12);
  });

  it('keeps any other refusal whole', async () => {
    expect(
      uploadRejection(
        await responseError(
          503,
          'The check of the custom model did not finish within 120 s on Ray cluster "local"; try again',
        ),
      ),
    ).toEqual({
      summary:
        'The check of the custom model did not finish within 120 s on Ray cluster "local"; try again',
      problems: [],
    });
    expect(uploadRejection(new Error('Failed to fetch'))).toEqual({
      summary: 'Failed to fetch',
      problems: [],
    });
  });
});
