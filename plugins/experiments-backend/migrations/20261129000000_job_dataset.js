// @ts-check

/**
 * The dataset and version each job trained on, as columns, so that lineage ("which runs used
 * this dataset version") is one indexed query. Existing jobs get theirs from their config.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('training_jobs', table => {
    table.string('dataset_id', 255).nullable();
    table.string('dataset_version', 255).nullable();
    table.index(
      ['dataset_id', 'dataset_version', 'created_at'],
      'training_jobs_dataset_idx',
    );
  });
  const rows = await knex('training_jobs').select('id', 'config');
  for (const row of rows) {
    let dataset;
    try {
      dataset = JSON.parse(row.config).dataset;
    } catch {
      continue;
    }
    if (dataset && typeof dataset.id === 'string') {
      await knex('training_jobs')
        .where({ id: row.id })
        .update({
          dataset_id: dataset.id,
          dataset_version:
            typeof dataset.version === 'string' ? dataset.version : null,
        });
    }
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('training_jobs', table => {
    table.dropIndex(
      ['dataset_id', 'dataset_version', 'created_at'],
      'training_jobs_dataset_idx',
    );
    table.dropColumns('dataset_id', 'dataset_version');
  });
};
