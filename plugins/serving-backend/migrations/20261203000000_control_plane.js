// @ts-check

/**
 * The serving control plane: versions with weights, scaling and resources per deployment, a
 * state message, API keys (sha256 only) and the history of every change.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('model_deployments', table => {
    // The name is the deployment's slug: its route prefix on the cluster.
    table.text('versions').nullable();
    table.text('shadow').nullable();
    table.text('scaling').nullable();
    table.float('cpus').notNullable().defaultTo(1);
    table.float('gpus').notNullable().defaultTo(0);
    table.text('message').nullable();
    table.string('created_by', 255).nullable();
  });
  const rows = await knex('model_deployments').select(
    'id',
    'model_version',
    'owner',
  );
  for (const row of rows) {
    await knex('model_deployments')
      .where('id', row.id)
      .update({
        versions: JSON.stringify([{ version: row.model_version, weight: 100 }]),
        scaling: JSON.stringify({ replicas: 1 }),
        created_by: row.owner,
      });
  }
  await knex.schema.alterTable('model_deployments', table => {
    table.unique(['cluster', 'name'], {
      indexName: 'model_deployments_cluster_name_uniq',
    });
  });

  await knex.schema.createTable('model_deployment_api_keys', table => {
    table.string('id', 36).primary();
    table.string('deployment_id', 36).notNullable();
    table.string('name', 255).notNullable();
    table.string('sha256', 64).notNullable().unique();
    table.string('created_by', 255).notNullable();
    table.datetime('created_at').notNullable();
    table.datetime('expires_at').nullable();
    table.datetime('revoked_at').nullable();
    table.float('requests_per_second').notNullable();
    table.integer('burst').notNullable();
    table.datetime('last_used_at').nullable();
    table.index(['deployment_id'], 'model_deployment_api_keys_deployment_idx');
  });

  await knex.schema.createTable('model_deployment_history', table => {
    table.string('id', 36).primary();
    // No foreign key: the history outlives its deployment.
    table.string('deployment_id', 36).notNullable();
    table.string('actor', 255).notNullable();
    table.datetime('at').notNullable();
    table.string('action', 32).notNullable();
    table.text('details').notNullable();
    table.text('reason').nullable();
    table.index(['deployment_id', 'at'], 'model_deployment_history_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_deployment_history');
  await knex.schema.dropTable('model_deployment_api_keys');
  await knex.schema.alterTable('model_deployments', table => {
    table.dropUnique(
      ['cluster', 'name'],
      'model_deployments_cluster_name_uniq',
    );
  });
  await knex.schema.alterTable('model_deployments', table => {
    table.dropColumn('versions');
    table.dropColumn('shadow');
    table.dropColumn('scaling');
    table.dropColumn('cpus');
    table.dropColumn('gpus');
    table.dropColumn('message');
    table.dropColumn('created_by');
  });
};
