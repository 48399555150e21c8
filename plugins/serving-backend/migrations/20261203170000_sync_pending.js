// @ts-check

/**
 * `sync_pending`: Ray Serve has not taken the stored deployment yet (a sync failed); the
 * reconciler writes it again. `draining` (JSON list): versions that lost their traffic in the
 * last change and stay deployed until the replicas that sent them requests are gone.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('model_deployments', table => {
    table.boolean('sync_pending').notNullable().defaultTo(false);
    table.text('draining').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('model_deployments', table => {
    table.dropColumn('sync_pending');
    table.dropColumn('draining');
  });
};
