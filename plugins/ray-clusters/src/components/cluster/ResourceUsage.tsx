import { formatBytes } from '@internal/mlops-react';
import {
  RayClusterResources,
  ResourceUsage as Usage,
} from '@internal/backstage-plugin-ray-clusters-common';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';

function UsageBar(props: {
  label: string;
  usage: Usage;
  format?: (n: number) => string;
}) {
  const { used, total } = props.usage;
  const format = props.format ?? ((n: number) => String(n));
  const percent = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  return (
    <Box mb={2}>
      <Typography variant="body2">
        {props.label}: {format(used)} of {format(total)} in use
      </Typography>
      <LinearProgress
        variant="determinate"
        value={percent}
        aria-label={`${props.label} usage`}
      />
    </Box>
  );
}

/** Totals and what running tasks and actors hold, one bar per resource. */
export function ResourceUsage(props: { resources: RayClusterResources }) {
  const { resources } = props;
  const usage = resources.usage ?? {
    cpus: { used: 0, total: resources.cpus },
    gpus: { used: 0, total: resources.gpus },
    memoryBytes: { used: 0, total: resources.memoryBytes },
    objectStoreBytes: { used: 0, total: resources.objectStoreBytes },
  };
  const gpuLabel = resources.gpuTypes.length
    ? `GPUs (${resources.gpuTypes.join(', ')})`
    : 'GPUs';
  return (
    <>
      <UsageBar label="CPUs" usage={usage.cpus} />
      <UsageBar label={gpuLabel} usage={usage.gpus} />
      <UsageBar label="Memory" usage={usage.memoryBytes} format={formatBytes} />
      <UsageBar
        label="Object store"
        usage={usage.objectStoreBytes}
        format={formatBytes}
      />
    </>
  );
}
