import {
  Content,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { PluginStatus } from '@internal/backstage-plugin-mlops-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';
import { AsyncState } from 'react-use/lib/useAsyncFn';
import { PluginStatusCard } from './PluginStatusCard';

/**
 * The layout of every MLOps area page: the team's items, then the area's dependency status.
 *
 * @public
 */
export function AreaPage<T>(props: {
  title: string;
  items: AsyncState<T[]>;
  renderItems: (items: T[]) => ReactNode;
  statusTitle: string;
  loadStatus: () => Promise<PluginStatus>;
}) {
  const { value, loading, error } = props.items;
  return (
    <Content>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <Typography variant="h5" gutterBottom>
            {props.title}
          </Typography>
          {loading && <Progress />}
          {error && <ResponseErrorPanel error={error} />}
          {value && props.renderItems(value)}
        </Grid>
        <Grid item xs={12}>
          <PluginStatusCard title={props.statusTitle} load={props.loadStatus} />
        </Grid>
      </Grid>
    </Content>
  );
}
