import { DatabaseService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import { DependencyCheck } from '@internal/backstage-plugin-mlops-common';
import { Knex } from 'knex';
import { OwnerQuery } from './ownership';

/**
 * The plugin's database client, with the migrations in `migrationsDir` applied unless the
 * database service says to skip them.
 *
 * @public
 */
export async function migratedDatabaseClient(
  database: DatabaseService,
  migrationsDir: string,
): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await knex.migrate.latest({ directory: migrationsDir });
  }
  return knex;
}

/**
 * Adds the ownership condition of a conditional decision to a query, as SQL on the `owner`
 * column.
 *
 * @public
 */
export function whereOwner(
  query: Knex.QueryBuilder,
  filter: PermissionCriteria<OwnerQuery>,
): void {
  if (isAndCriteria(filter)) {
    filter.allOf.forEach(f => query.andWhere(q => whereOwner(q, f)));
  } else if (isOrCriteria(filter)) {
    filter.anyOf.forEach(f => query.orWhere(q => whereOwner(q, f)));
  } else if (isNotCriteria(filter)) {
    query.whereNot(q => whereOwner(q, filter.not));
  } else {
    query.whereIn('owner', filter.ownerIn);
  }
}

/**
 * The status check of a plugin's database: it answers a query.
 *
 * @public
 */
export async function checkDatabase(
  knex: Knex,
  name = 'Database',
): Promise<DependencyCheck> {
  try {
    await knex.raw('select 1');
    return { name, ok: true, message: 'The database answers' };
  } catch (error) {
    return {
      name,
      ok: false,
      message: `The database does not answer: ${
        isError(error) ? error.message : String(error)
      }`,
    };
  }
}
