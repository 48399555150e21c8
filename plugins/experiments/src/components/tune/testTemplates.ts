import { ModelTemplate } from '@internal/backstage-plugin-experiments-common';
import { cnnTemplate } from '../../testing/fixtures';

/** The test CNN template with a dropout hyperparameter and a default search space. */
export const tunableTemplate: ModelTemplate = {
  ...cnnTemplate,
  hyperparameterSchema: {
    ...cnnTemplate.hyperparameterSchema,
    properties: {
      ...cnnTemplate.hyperparameterSchema.properties,
      dropout: {
        type: 'number',
        minimum: 0,
        maximum: 0.9,
        default: 0.25,
        title: 'Dropout',
      },
    },
  },
  searchSpace: {
    learning_rate: { type: 'loguniform', min: 0.0003, max: 0.01 },
    dropout: { type: 'choice', values: [0.1, 0.25, 0.5] },
  },
};

/** A tabular template (one fit per trial) set to regression by default. */
export const tabularRegressionTemplate: ModelTemplate = {
  id: 'tabular-hgb',
  version: '1.0.0',
  title: 'Gradient-boosted trees',
  description: 'HistGradientBoosting on a table.',
  task: 'tabular-classification',
  datasetFormats: ['csv'],
  entrypoint: 'mlops_runtime.train_tabular',
  defaultResources: { numWorkers: 1, cpusPerWorker: 1, useGpu: false },
  hyperparameterSchema: {
    type: 'object',
    properties: {
      task: {
        type: 'string',
        enum: ['classification', 'regression'],
        default: 'regression',
        title: 'Task',
      },
      learning_rate: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
        default: 0.1,
        title: 'Learning rate',
      },
    },
  },
  searchSpace: {
    learning_rate: { type: 'loguniform', min: 0.01, max: 0.3 },
  },
};
