import { ResponseError } from '@backstage/errors';
import { submissionProblems } from './submissionProblems';

async function responseError(error: Record<string, unknown>) {
  const text = JSON.stringify({ error, response: { statusCode: 400 } });
  return ResponseError.fromResponse({
    status: 400,
    statusText: 'Bad Request',
    url: 'http://localhost/api/experiments/jobs',
    headers: new Map([['content-type', 'application/json']]),
    text: async () => text,
  } as unknown as Response);
}

describe('submissionProblems', () => {
  it('reads a structured field map sent with the error', async () => {
    const problems = submissionProblems(
      await responseError({
        name: 'InputError',
        message: 'Invalid hyperparameters',
        fields: {
          'hyperparameters.epochs': 'must be at most 50',
          'hyperparameters.batch_size': ['must be a whole number'],
          seed: 'must be at least 0',
        },
      }),
    );
    expect(problems.message).toBe('Invalid hyperparameters');
    expect(problems.hyperparameters).toEqual({
      epochs: ['must be at most 50'],
      batch_size: ['must be a whole number'],
    });
    expect(problems.fields).toEqual({ seed: ['must be at least 0'] });
  });

  it('reads a details list of JSON pointers', async () => {
    const problems = submissionProblems(
      await responseError({
        name: 'InputError',
        message: 'bad request',
        details: [
          {
            instancePath: '/hyperparameters/dropout',
            message: 'must be <= 0.9',
          },
          { path: '/resources/cpusPerWorker', message: 'must be > 0' },
        ],
      }),
    );
    expect(problems.hyperparameters).toEqual({ dropout: ['must be <= 0.9'] });
    expect(problems.fields).toEqual({ cpusPerWorker: ['must be > 0'] });
  });

  it('finds named fields in a plain message and keeps the message', () => {
    const problems = submissionProblems(
      new Error(
        'Invalid hyperparameters: hyperparameters.epochs: must be at most 50; datasetId mnist-v9 was not found',
      ),
    );
    expect(problems.hyperparameters).toEqual({
      epochs: ['must be at most 50'],
    });
    expect(problems.fields).toEqual({ datasetId: ['mnist-v9 was not found'] });
    expect(problems.message).toMatch(/^Invalid hyperparameters/);
  });

  it('names no field when the message names none', () => {
    const problems = submissionProblems(
      new Error('unknown hyperparameter foo'),
    );
    expect(problems.hyperparameters).toEqual({});
    expect(problems.fields).toEqual({});
    expect(problems.message).toBe('unknown hyperparameter foo');
  });
});
