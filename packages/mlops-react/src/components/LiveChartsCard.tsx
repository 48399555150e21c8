import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Switch from '@material-ui/core/Switch';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { ReactNode, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { apiErrorMessage } from '../apiErrorMessage';
import { CHART_WINDOWS, ChartWindow } from '../charts/chartTypes';

/** @public */
export const DEFAULT_CHART_REFRESH_MS = 15_000;

/** @public */
export type LiveChartsCardProps<T> = {
  title: string;
  /**
   * Reads the charts' data for the chosen time range. Keep it stable (useCallback): a new
   * function reads again.
   */
  load: (window: ChartWindow) => Promise<T>;
  /** Draws what `load` read. */
  children: (value: T) => ReactNode;
  /** The data has its own range (a job's run): no time-range picker. */
  fixedRange?: boolean;
  /** The range shown first. Default: the last hour. */
  defaultWindow?: ChartWindow;
  /**
   * Reads again this often while the Auto-refresh switch is on (default 15 s); `null` reads once
   * and shows no switch.
   */
  refreshMs?: number | null;
  /**
   * No card of its own, the controls above the charts: for a home page widget, whose card has
   * the title already.
   */
  bare?: boolean;
};

/**
 * A card of charts read for a time range: the range picker, an Auto-refresh switch, and what
 * went wrong ("Charts are not available: Prometheus is unreachable…") instead of empty axes.
 *
 * @public
 */
export function LiveChartsCard<T>(props: LiveChartsCardProps<T>) {
  const { load, fixedRange } = props;
  const refreshMs =
    props.refreshMs === undefined ? DEFAULT_CHART_REFRESH_MS : props.refreshMs;
  const [window, setWindow] = useState<ChartWindow>(
    props.defaultWindow ?? '1h',
  );
  const [autoRefresh, setAutoRefresh] = useState(true);
  const data = useAsyncRetry(() => load(window), [load, window]);
  useInterval(data.retry, autoRefresh && refreshMs ? refreshMs : null);

  const action = (
    <>
      {refreshMs ? (
        <FormControlLabel
          control={
            <Switch
              checked={autoRefresh}
              onChange={(_e, checked) => setAutoRefresh(checked)}
              color="primary"
            />
          }
          label="Auto-refresh"
        />
      ) : null}
      {fixedRange ? null : (
        <Select
          value={window}
          onChange={e => setWindow(e.target.value as ChartWindow)}
          SelectDisplayProps={{ 'aria-label': 'Time range' } as object}
        >
          {CHART_WINDOWS.map(w => (
            <MenuItem key={w.value} value={w.value}>
              {w.label}
            </MenuItem>
          ))}
        </Select>
      )}
    </>
  );
  let content: ReactNode;
  if (data.error) {
    content = (
      <Alert severity="warning">
        Charts are not available: {apiErrorMessage(data.error)}
      </Alert>
    );
  } else if (data.value === undefined) {
    content = (
      <Typography variant="body2" color="textSecondary">
        Loading charts…
      </Typography>
    );
  } else {
    content = props.children(data.value);
  }
  if (props.bare) {
    return (
      <section aria-label={props.title}>
        <Box display="flex" justifyContent="flex-end" alignItems="center">
          {action}
        </Box>
        {content}
      </section>
    );
  }
  return (
    <InfoCard title={props.title} action={action}>
      {content}
    </InfoCard>
  );
}
