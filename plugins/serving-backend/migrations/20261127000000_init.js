// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('model_deployments', table => {
    table.string('id', 36).primary();
    table.string('name', 255).notNullable();
    table.string('owner', 255).notNullable();
    table.string('model_name', 255).notNullable();
    table.string('model_version', 64).notNullable();
    table.string('cluster', 255).notNullable();
    table.string('state', 16).notNullable();
    table.text('endpoint').nullable();
    table.datetime('created_at').notNullable();
    table.datetime('updated_at').notNullable();

    table.index(['owner', 'created_at'], 'model_deployments_owner_created_idx');
    table.index(['created_at'], 'model_deployments_created_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_deployments');
};
