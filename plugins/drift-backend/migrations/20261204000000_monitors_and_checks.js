// @ts-check

/**
 * Monitors now name the deployment they watch by id, with their window, schedule and
 * significance level, and keep their checks and the ground-truth labels of logged requests. No monitor could be created before this
 * migration (the API only listed them), so the first table is replaced, not converted.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.dropTable('drift_monitors');
  await knex.schema.createTable('drift_monitors', table => {
    table.string('id', 36).primary();
    table.string('name', 255).notNullable();
    table.string('owner', 255).notNullable();
    table.string('deployment_id', 64).notNullable();
    table.string('deployment_name', 255).notNullable();
    table.string('model_name', 255).notNullable();
    table.string('cluster', 255).notNullable();
    table.text('window').notNullable();
    table.integer('interval_minutes').nullable();
    table.double('alpha').notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(['owner', 'name'], {
      indexName: 'drift_monitors_owner_name_uniq',
    });
  });
  await knex.schema.createTable('drift_checks', table => {
    table.string('id', 36).primary();
    table
      .string('monitor_id', 36)
      .notNullable()
      .references('id')
      .inTable('drift_monitors')
      .onDelete('CASCADE');
    table.string('status', 16).notNullable();
    table.string('trigger', 16).notNullable();
    table.string('requested_by', 255).nullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.string('verdict', 32).nullable();
    table.string('model_version', 32).nullable();
    table.integer('instances').nullable();
    table.double('drift_score').nullable();
    table.double('estimated_accuracy').nullable();
    table.double('real_accuracy').nullable();
    table.text('message').nullable();
    table.text('report').nullable();
    table.index(['monitor_id', 'started_at'], 'drift_checks_monitor_idx');
    table.index(['status'], 'drift_checks_status_idx');
  });
  await knex.schema.createTable('drift_labels', table => {
    table
      .string('monitor_id', 36)
      .notNullable()
      .references('id')
      .inTable('drift_monitors')
      .onDelete('CASCADE');
    table.string('request_id', 128).notNullable();
    table
      .text('label')
      .notNullable()
      .comment('JSON: a class, or one per input');
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['monitor_id', 'request_id']);
    table.index(['monitor_id', 'created_at'], 'drift_labels_monitor_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('drift_labels');
  await knex.schema.dropTable('drift_checks');
  await knex.schema.dropTable('drift_monitors');
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
