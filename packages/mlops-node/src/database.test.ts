import { TestDatabases } from '@backstage/backend-test-utils';
import { checkDatabase } from './database';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('checkDatabase', () => {
  it('says the database answers, and why not once it is gone', async () => {
    const knex = await databases.init('SQLITE_3');

    expect(await checkDatabase(knex, 'Experiments database')).toEqual({
      name: 'Experiments database',
      ok: true,
      message: 'The database answers',
    });
    await knex.destroy();
    expect(await checkDatabase(knex)).toEqual({
      name: 'Database',
      ok: false,
      message: expect.stringMatching(/^The database does not answer: .+/),
    });
  });
});
