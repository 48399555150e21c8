import { InputError } from '@backstage/errors';
import { parseCreateRequest } from './requests';

describe('parseCreateRequest', () => {
  it('accepts a plain title', () => {
    expect(
      parseCreateRequest({ name: 'team-ray', title: 'Team Ray (CPU)' }),
    ).toMatchObject({ title: 'Team Ray (CPU)' });
  });

  it.each(['Ray \u001b[2J', 'Ray \u202eUPC', 'Ray\u0000'])(
    'refuses a title with a control or bidirectional character (%j)',
    title => {
      expect(() => parseCreateRequest({ name: 'team-ray', title })).toThrow(
        InputError,
      );
      expect(() => parseCreateRequest({ name: 'team-ray', title })).toThrow(
        /title.*control or bidirectional/,
      );
    },
  );
});
