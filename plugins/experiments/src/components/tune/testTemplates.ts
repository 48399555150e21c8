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
