import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { PluginStatus } from '@internal/backstage-plugin-mlops-common';
import useAsync from 'react-use/esm/useAsync';
import { DependencyStatusTable } from './DependencyStatusTable';

/**
 * Loads and shows the dependency status of one plugin, e.g. on the plugin's own page.
 *
 * @public
 */
export function PluginStatusCard(props: {
  title: string;
  load: () => Promise<PluginStatus>;
}) {
  const { value, loading, error } = useAsync(props.load, [props.load]);
  if (loading) {
    return <Progress />;
  }
  if (error) {
    return (
      <ResponseErrorPanel
        title={`${props.title}: status unavailable`}
        error={error}
      />
    );
  }
  return (
    <DependencyStatusTable
      title={props.title}
      statuses={value ? [value] : []}
    />
  );
}
