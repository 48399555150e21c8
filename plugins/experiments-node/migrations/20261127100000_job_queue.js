// @ts-check

/**
 * The job queue of the experiments area (DatabaseJobQueue). Times are milliseconds since the
 * epoch, so that SQLite and PostgreSQL compare them alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('job_queue', table => {
    table.bigIncrements('id').primary();
    table.string('job_id', 255).notNullable();
    table.integer('attempt').notNullable().defaultTo(1);
    table
      .bigInteger('available_at')
      .notNullable()
      .comment(
        'Not delivered before this time (ms since epoch): retry backoff',
      );
    table
      .bigInteger('leased_until')
      .nullable()
      .comment('Leased to a consumer until this time (ms since epoch)');
    table.string('lease_owner', 64).nullable();
    table.boolean('dead').notNullable().defaultTo(false);
    table.timestamp('created_at').notNullable().defaultTo(knex.fn.now());

    table.index(['dead', 'available_at'], 'job_queue_available_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('job_queue');
};
