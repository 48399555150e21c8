// @ts-check

/**
 * Clusters created through the API (config-defined clusters are not stored).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ray_clusters', table => {
    table.string('name', 63).primary();
    table.string('title', 255).notNullable();
    table.string('owner', 255).notNullable();
    table.string('driver', 16).notNullable();
    table.float('cpus').notNullable();
    table.integer('gpus').notNullable();
    table.bigInteger('memory_bytes').nullable();
    table.integer('idle_timeout_seconds').notNullable();
    table.string('state', 16).notNullable();
    table.text('message').notNullable();
    table.text('dashboard_url').nullable();
    // Ray token of the cluster: only sent to Ray, never returned by the API nor logged.
    table.text('token').nullable();
    // Names the local driver's temp folder, so that processes of this cluster can be found.
    table.string('instance_id', 16).notNullable();
    table.string('created_by', 255).notNullable();
    table.datetime('created_at').notNullable();
    table.datetime('updated_at').notNullable();

    table.index(['owner'], 'ray_clusters_owner_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ray_clusters');
};
