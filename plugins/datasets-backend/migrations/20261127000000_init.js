// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('datasets', table => {
    table.string('id', 36).primary();
    table.string('name', 255).notNullable();
    table.string('owner', 255).notNullable();
    table.text('description').nullable();
    table.string('format', 64).nullable();
    table.string('latest_version', 255).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(['owner', 'name'], { indexName: 'datasets_owner_name_uniq' });
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('datasets');
};
