// @ts-check

/**
 * Custom model names are unique per owning team, not across the portal: two teams may each have
 * a model "cnn", and neither learns of the other's. The models' key becomes (owner, name), and a
 * version names its model by both.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('custom_models_by_owner', table => {
    table.string('owner', 255).notNullable();
    table.string('name', 63).notNullable();
    table.text('description').notNullable().defaultTo('');
    table.string('created_by', 255).notNullable();
    table.datetime('created_at').notNullable();
    table.primary(['owner', 'name']);
  });
  await knex.schema.createTable('custom_model_versions_by_owner', table => {
    table.string('model_owner', 255).notNullable();
    table.string('model_name', 63).notNullable();
    table.integer('version').notNullable();
    table.string('sha256', 64).notNullable();
    table.text('source').notNullable();
    table
      .text('hyperparameter_schema')
      .nullable()
      .comment("The module's HYPERPARAMETER_SCHEMA (JSON), if it has one");
    table.bigInteger('parameter_count').notNullable();
    table.string('created_by', 255).notNullable();
    table.datetime('created_at').notNullable();
    table.primary(['model_owner', 'model_name', 'version']);
    table.unique(['model_owner', 'model_name', 'sha256']);
    table
      .foreign(['model_owner', 'model_name'])
      .references(['owner', 'name'])
      .inTable('custom_models_by_owner')
      .onDelete('CASCADE');
  });
  const models = await knex('custom_models').select();
  for (const model of models) {
    await knex('custom_models_by_owner').insert(model);
  }
  const owners = new Map(models.map(m => [m.name, m.owner]));
  const versions = await knex('custom_model_versions').select();
  for (const version of versions) {
    await knex('custom_model_versions_by_owner').insert({
      ...version,
      model_owner: owners.get(version.model_name),
    });
  }
  await knex.schema.dropTable('custom_model_versions');
  await knex.schema.dropTable('custom_models');
  await knex.schema.renameTable('custom_models_by_owner', 'custom_models');
  await knex.schema.renameTable(
    'custom_model_versions_by_owner',
    'custom_model_versions',
  );
  await knex.schema.alterTable('custom_models', table => {
    table.index(['owner'], 'custom_models_owner_idx');
  });
};

/**
 * Back to names unique across the portal; fails while two teams use one name.
 *
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  const shared = await knex('custom_models')
    .select('name')
    .groupBy('name')
    .havingRaw('count(*) > 1');
  if (shared.length > 0) {
    throw new Error(
      `Cannot make custom model names unique across teams: ${shared
        .map(row => row.name)
        .join(', ')} are used by several teams`,
    );
  }
  await knex.schema.renameTable(
    'custom_model_versions',
    'custom_model_versions_by_owner',
  );
  await knex.schema.renameTable('custom_models', 'custom_models_by_owner');
  await knex.schema.createTable('custom_models', table => {
    table.string('name', 63).primary();
    table.string('owner', 255).notNullable().index();
    table.text('description').notNullable().defaultTo('');
    table.string('created_by', 255).notNullable();
    table.datetime('created_at').notNullable();
  });
  await knex.schema.createTable('custom_model_versions', table => {
    table
      .string('model_name', 63)
      .notNullable()
      .references('name')
      .inTable('custom_models')
      .onDelete('CASCADE');
    table.integer('version').notNullable();
    table.string('sha256', 64).notNullable();
    table.text('source').notNullable();
    table.text('hyperparameter_schema').nullable();
    table.bigInteger('parameter_count').notNullable();
    table.string('created_by', 255).notNullable();
    table.datetime('created_at').notNullable();
    table.primary(['model_name', 'version']);
    table.unique(['model_name', 'sha256']);
  });
  for (const model of await knex('custom_models_by_owner').select()) {
    await knex('custom_models').insert(model);
  }
  for (const version of await knex('custom_model_versions_by_owner').select()) {
    const { model_owner: _owner, ...row } = version;
    await knex('custom_model_versions').insert(row);
  }
  await knex.schema.dropTable('custom_model_versions_by_owner');
  await knex.schema.dropTable('custom_models_by_owner');
};
