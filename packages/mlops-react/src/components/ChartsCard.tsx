import Grid, { GridSize } from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { ChartSet } from '../charts/chartTypes';
import { formatChartValue } from '../charts/formatChartValue';
import { LiveChartsCard, LiveChartsCardProps } from './LiveChartsCard';
import { TimeSeriesChart } from './TimeSeriesChart';

/** Units with a natural top: their axis reaches it even when every value is small. */
const FULL_SCALE: Partial<Record<string, number>> = { percent: 100, ratio: 1 };

/** @public */
export const DEFAULT_CHART_EMPTY_TEXT =
  'Prometheus has no samples for this time range yet.';

/** @public */
export type ChartsCardProps = Omit<
  LiveChartsCardProps<ChartSet>,
  'children'
> & {
  /** Shown in place of a chart that has no points (or of all, when none came): why. */
  emptyText?: string;
  /** Charts side by side on a wide screen (default 2). */
  chartsPerRow?: 1 | 2 | 3 | 4;
};

function formatRange(charts: ChartSet): string | undefined {
  if (!charts.start || !charts.end) return undefined;
  const start = new Date(charts.start).toLocaleString();
  const end = new Date(charts.end).toLocaleString();
  return `From ${start} to ${end}`;
}

function ChartGrid(props: {
  charts: ChartSet;
  emptyText: string;
  chartsPerRow: number;
  showRange: boolean;
}) {
  const { charts } = props;
  if (charts.charts.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        {props.emptyText}
      </Typography>
    );
  }
  const range = props.showRange ? formatRange(charts) : undefined;
  return (
    <Grid container spacing={2}>
      {range && (
        <Grid item xs={12}>
          <Typography variant="body2" color="textSecondary">
            {range}
          </Typography>
        </Grid>
      )}
      {charts.charts.map(chart => (
        <Grid
          item
          xs={12}
          md={(12 / props.chartsPerRow) as GridSize}
          key={chart.id}
        >
          <TimeSeriesChart
            title={chart.title}
            series={chart.series}
            format={value => formatChartValue(chart.unit, value)}
            maxAtLeast={FULL_SCALE[chart.unit]}
            emptyText={props.emptyText}
          />
        </Grid>
      ))}
    </Grid>
  );
}

/**
 * Charts from the monitoring backend in a card: one line chart per chart, values in its unit,
 * with the time-range picker (unless `fixedRange`) and auto-refresh of LiveChartsCard.
 *
 * @public
 */
export function ChartsCard(props: ChartsCardProps) {
  const { emptyText, chartsPerRow, ...cardProps } = props;
  return (
    <LiveChartsCard<ChartSet> {...cardProps}>
      {charts => (
        <ChartGrid
          charts={charts}
          emptyText={emptyText ?? DEFAULT_CHART_EMPTY_TEXT}
          chartsPerRow={chartsPerRow ?? 2}
          showRange={!!props.fixedRange}
        />
      )}
    </LiveChartsCard>
  );
}
