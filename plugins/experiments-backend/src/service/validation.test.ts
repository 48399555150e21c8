import { InputError } from '@backstage/errors';
import { parseCreateRequest } from './validation';

describe('parseCreateRequest', () => {
  const valid = { templateId: 'mnist-cnn', datasetId: 'mnist' };

  it('accepts a plain job name', () => {
    expect(parseCreateRequest({ ...valid, name: 'first try' })).toMatchObject({
      name: 'first try',
    });
  });

  it.each([
    ['an ANSI escape', 'run \u001b[31mred'],
    ['a bidirectional override', 'run \u202egnp.exe'],
    ['a line break', 'run\nsecond line'],
  ])('refuses a name with %s, naming the character', (_, name) => {
    expect(() => parseCreateRequest({ ...valid, name })).toThrow(InputError);
    expect(() => parseCreateRequest({ ...valid, name })).toThrow(
      /name must not contain a (bidirectional )?control character U\+[0-9A-F]{4}/,
    );
  });
});
