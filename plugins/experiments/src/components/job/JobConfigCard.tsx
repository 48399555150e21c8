import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import { ResolvedJobConfig } from '@internal/backstage-plugin-experiments-common';

/** Everything the run was resolved to at submission, as a table. */
export function JobConfigCard(props: { config: ResolvedJobConfig }) {
  const { config } = props;
  const metadata: Record<string, unknown> = {
    Template: `${config.template.id} ${config.template.version}`,
    ...(config.customModel && {
      'Custom model': `${config.customModel.name} version ${
        config.customModel.version
      } (source sha256 ${config.customModel.sha256.slice(0, 12)}…)`,
    }),
    Dataset: `${config.dataset.id} ${config.dataset.version} (${config.dataset.format})`,
    Hyperparameters: Object.fromEntries(
      Object.entries(config.hyperparameters).map(([key, value]) => [
        key,
        typeof value === 'object' ? JSON.stringify(value) : String(value),
      ]),
    ),
    Seed: config.seed,
    Workers: config.resources.numWorkers,
    'CPUs per worker': config.resources.cpusPerWorker,
    GPU: config.resources.useGpu ? 'one per worker' : 'none',
    Cluster: config.cluster,
    'Runtime version': config.runtimeVersion,
    'Model name': config.modelName,
  };
  return (
    <InfoCard title="Resolved configuration">
      <StructuredMetadataTable
        dense
        metadata={metadata}
        options={{ titleFormat: key => key }}
      />
    </InfoCard>
  );
}
