// @ts-check

/**
 * Trials of auto-tune jobs: one row per Ray Tune trial, written by the reconciler from the tune's
 * `mlops.trial` log lines. JSON columns are text, so that SQLite and PostgreSQL store them alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('training_job_trials', table => {
    table
      .string('job_id', 36)
      .notNullable()
      .references('id')
      .inTable('training_jobs')
      .onDelete('CASCADE');
    table.string('trial_id', 64).notNullable();
    table.string('state', 16).notNullable();
    table
      .text('config')
      .notNullable()
      .comment('Searched hyperparameters (JSON)');
    table
      .text('hyperparameters')
      .notNullable()
      .comment('Every hyperparameter the trial trained with (JSON)');
    table.bigInteger('seed').notNullable();
    table.text('metrics').notNullable().comment('Last epoch metrics (JSON)');
    table
      .text('history')
      .notNullable()
      .comment('[{epoch, elapsedSeconds, metrics}] (JSON)');
    table.boolean('best').notNullable().defaultTo(false);
    table.string('mlflow_run_id', 64).nullable();
    table.text('error').nullable();
    table.datetime('created_at').notNullable();
    table.datetime('updated_at').notNullable();
    table.primary(['job_id', 'trial_id']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('training_job_trials');
};
