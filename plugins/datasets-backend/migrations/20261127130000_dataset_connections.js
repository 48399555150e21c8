// @ts-check

/**
 * User-added S3 connections. Credentials are stored only encrypted (AES-256-GCM).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('dataset_connections', table => {
    table.string('id', 36).primary();
    table.string('name', 255).notNullable();
    table.string('owner', 255).notNullable();
    table.text('endpoint').notNullable();
    table.string('region', 64).notNullable();
    table.string('bucket', 255).notNullable();
    table.text('prefix').notNullable();
    table.boolean('force_path_style').notNullable();
    table.text('credentials_encrypted').notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['owner', 'name'], {
      indexName: 'dataset_connections_owner_name_uniq',
    });
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dataset_connections');
};
