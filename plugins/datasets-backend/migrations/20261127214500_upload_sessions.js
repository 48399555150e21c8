// @ts-check

/**
 * Resumable uploads: a session per large file, and the parts of it already stored.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('dataset_upload_sessions', table => {
    table.string('id', 36).primary();
    table
      .string('dataset_id', 36)
      .notNullable()
      .references('id')
      .inTable('datasets')
      .onDelete('CASCADE');
    table.text('path').notNullable();
    table.bigInteger('size').notNullable();
    table.string('content_type', 255).nullable();
    table.integer('part_size').notNullable();
    table.text('temp_key').notNullable();
    table.text('store_upload_id').notNullable();
    table.string('state', 16).notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    // Milliseconds since the epoch: compared with a cutoff in the same way on SQLite and PostgreSQL.
    table.bigInteger('last_activity_ms').notNullable();
    table.index(['last_activity_ms'], 'dataset_upload_sessions_activity_idx');
  });
  await knex.schema.createTable('dataset_upload_parts', table => {
    table
      .string('session_id', 36)
      .notNullable()
      .references('id')
      .inTable('dataset_upload_sessions')
      .onDelete('CASCADE');
    table.integer('part_number').notNullable();
    table.bigInteger('size').notNullable();
    table.text('etag').notNullable();
    table.primary(['session_id', 'part_number']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dataset_upload_parts');
  await knex.schema.dropTable('dataset_upload_sessions');
};
