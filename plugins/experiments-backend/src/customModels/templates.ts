import {
  CustomModel,
  HyperparameterSchema,
  ModelTemplate,
} from '@internal/backstage-plugin-experiments-common';

/** Hyperparameters of the portal's training loop that a custom image model trains with. */
const TRAINING_LOOP_PARAMETERS = [
  'epochs',
  'batch_size',
  'learning_rate',
  'train_samples',
];

/**
 * Each version of the models as a model template (`custom:<name>@<version>`): the image
 * classification training loop of `base` (its entrypoint, resources and training-loop
 * hyperparameters) with the module's own HYPERPARAMETER_SCHEMA added.
 */
export function customModelTemplates(
  models: CustomModel[],
  base: ModelTemplate | undefined,
): ModelTemplate[] {
  const baseProperties = (base?.hyperparameterSchema.properties ??
    {}) as Record<string, unknown>;
  const loop = Object.fromEntries(
    TRAINING_LOOP_PARAMETERS.filter(k => k in baseProperties).map(k => [
      k,
      baseProperties[k],
    ]),
  );
  return models.flatMap(model =>
    model.versions.map(v => {
      const own = (v.hyperparameterSchema?.properties ?? {}) as Record<
        string,
        unknown
      >;
      const hyperparameterSchema = {
        type: 'object',
        properties: { ...loop, ...own },
      } as unknown as HyperparameterSchema;
      return {
        id: v.templateId,
        version: String(v.version),
        title: `${model.name} v${v.version} (custom)`,
        description:
          model.description ||
          `Custom model ${model.name}, version ${v.version} (${v.parameterCount} parameters)`,
        task: 'image-classification',
        datasetFormats: base?.datasetFormats ?? ['idx'],
        entrypoint: base?.entrypoint ?? 'mlops_runtime.train',
        hyperparameterSchema,
        defaultResources: base?.defaultResources ?? {
          numWorkers: 1,
          cpusPerWorker: 1,
          useGpu: false,
        },
      };
    }),
  );
}
