// @ts-check

/**
 * Custom models: a team's Python module implementing the custom model interface, one row per
 * name, and its versions, each the module's source as checked in a Ray job. Only modules that
 * passed the check are stored; a version's source never changes (its sha256 is unique per model).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
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
    table
      .text('hyperparameter_schema')
      .nullable()
      .comment("The module's HYPERPARAMETER_SCHEMA (JSON), if it has one");
    table.bigInteger('parameter_count').notNullable();
    table.string('created_by', 255).notNullable();
    table.datetime('created_at').notNullable();
    table.primary(['model_name', 'version']);
    table.unique(['model_name', 'sha256']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('custom_model_versions');
  await knex.schema.dropTable('custom_models');
};
