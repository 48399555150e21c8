// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('training_jobs', table => {
    table.string('id', 36).primary();
    table.string('name', 255).notNullable();
    table.string('owner', 255).notNullable();
    table.string('project', 255).nullable();
    table.string('state', 16).notNullable();
    table.text('reason').nullable();
    table.text('config').notNullable().comment('Resolved job config as JSON');
    table.string('mlflow_run_id', 64).nullable();
    table.datetime('created_at').notNullable();
    table.datetime('updated_at').notNullable();

    table.index(['owner', 'created_at'], 'training_jobs_owner_created_idx');
    table.index(['created_at'], 'training_jobs_created_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('training_jobs');
};
