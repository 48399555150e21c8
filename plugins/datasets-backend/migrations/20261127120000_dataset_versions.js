// @ts-check

/**
 * Immutable dataset versions: one row per (dataset, manifest hash).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('dataset_versions', table => {
    table
      .string('dataset_id', 36)
      .notNullable()
      .references('id')
      .inTable('datasets')
      .onDelete('CASCADE');
    table.string('version', 64).notNullable();
    table.string('parent_version', 64).nullable();
    table.text('manifest').notNullable();
    table.integer('file_count').notNullable();
    table.bigInteger('total_bytes').notNullable();
    table.text('message').nullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['dataset_id', 'version']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dataset_versions');
};
