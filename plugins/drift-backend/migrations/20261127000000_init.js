// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('drift_monitors', table => {
    table.string('id', 36).primary();
    table.string('name', 255).notNullable();
    table.string('owner', 255).notNullable();
    table.string('deployment', 255).notNullable();
    table.string('schedule', 255).nullable();
    table.timestamp('last_check_at', { useTz: true }).nullable();
    table.string('last_result', 16).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(['owner', 'name'], {
      indexName: 'drift_monitors_owner_name_uniq',
    });
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('drift_monitors');
};
