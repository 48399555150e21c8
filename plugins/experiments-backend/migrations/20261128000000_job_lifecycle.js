// @ts-check

/**
 * Training job lifecycle (attempts, start/finish times, Ray and MLflow ids) and the transactional
 * outbox of the job queue: a job row and its outbox row are written in one transaction, and a
 * relay publishes outbox rows to the queue. Lease times are milliseconds since the epoch, so that
 * SQLite and PostgreSQL compare them alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('training_jobs', table => {
    table.integer('attempts').notNullable().defaultTo(0);
    table.datetime('started_at').nullable();
    table.datetime('finished_at').nullable();
    table.string('cluster', 255).nullable();
    table.string('ray_submission_id', 255).nullable();
    table.string('ray_job_id', 255).nullable();
    table.string('mlflow_experiment_id', 64).nullable();
    table.string('registered_model_name', 255).nullable();
    table.string('registered_model_version', 64).nullable();
    table.index(['state'], 'training_jobs_state_idx');
  });

  await knex.schema.createTable('training_job_outbox', table => {
    table.bigIncrements('id').primary();
    table
      .string('job_id', 36)
      .notNullable()
      .references('id')
      .inTable('training_jobs')
      .onDelete('CASCADE');
    table
      .bigInteger('claimed_until')
      .nullable()
      .comment(
        'A relay is publishing the row until this time (ms since epoch)',
      );
    table.string('claimed_by', 64).nullable();
    table.datetime('created_at').notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('training_job_outbox');
  await knex.schema.alterTable('training_jobs', table => {
    table.dropIndex(['state'], 'training_jobs_state_idx');
    table.dropColumns(
      'attempts',
      'started_at',
      'finished_at',
      'cluster',
      'ray_submission_id',
      'ray_job_id',
      'mlflow_experiment_id',
      'registered_model_name',
      'registered_model_version',
    );
  });
};
