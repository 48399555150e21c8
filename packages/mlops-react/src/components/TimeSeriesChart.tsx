import { useTheme } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

/** One line of a chart: its name in the legend and its points (`t` in unix milliseconds). */
export type TimeSeries = {
  name: string;
  points: Array<{ t: number; v: number }>;
};

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
];

/** Rows for recharts: one per time, a column per series (missing where a series has no point). */
export function toRows(series: TimeSeries[]): Array<Record<string, number>> {
  const rows = new Map<number, Record<string, number>>();
  series.forEach((s, index) => {
    for (const { t, v } of s.points) {
      const row = rows.get(t) ?? { t };
      row[`s${index}`] = v;
      rows.set(t, row);
    }
  });
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

function formatTime(t: number, spanMs: number): string {
  const date = new Date(t);
  return spanMs > 24 * 3600_000
    ? date.toLocaleDateString()
    : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/**
 * Lines over time (Prometheus series). Says so in words when there is nothing to draw, rather
 * than drawing empty axes.
 */
export function TimeSeriesChart(props: {
  title: string;
  series: TimeSeries[];
  /** How values read in the tooltip and on the axis, e.g. v => `${v.toFixed(1)} ms`. */
  format?: (value: number) => string;
  emptyText?: string;
  height?: number;
  /** The y axis reaches at least this far, e.g. 100 for percentages (all zeros read as 0 %). */
  maxAtLeast?: number;
}) {
  const theme = useTheme();
  const height = props.height ?? 220;
  const rows = toRows(props.series);
  const format = props.format ?? (v => v.toPrecision(3));
  const span = rows.length ? rows[rows.length - 1].t - rows[0].t : 0;
  return (
    <figure aria-label={props.title} style={{ margin: 0 }}>
      <figcaption>
        <Typography variant="subtitle2">{props.title}</Typography>
      </figcaption>
      {rows.length === 0 ? (
        <Typography
          variant="body2"
          color="textSecondary"
          style={{ height, display: 'flex', alignItems: 'center' }}
        >
          {props.emptyText ?? 'No data in this time range yet.'}
        </Typography>
      ) : (
        <ResponsiveContainer
          width="100%"
          height={height}
          initialDimension={{ width: 480, height }}
        >
          <LineChart data={rows}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={['dataMin', 'dataMax']}
              tickFormatter={t => formatTime(t, span)}
              stroke={theme.palette.text.secondary}
            />
            <YAxis
              domain={[
                0,
                (dataMax: number) => Math.max(dataMax, props.maxAtLeast ?? 0),
              ]}
              tickFormatter={format}
              width={64}
              stroke={theme.palette.text.secondary}
            />
            <Tooltip
              labelFormatter={t => new Date(Number(t)).toLocaleString()}
              formatter={(value: number) => format(value)}
            />
            <Legend />
            {props.series.map((s, index) => (
              <Line
                key={s.name}
                type="monotone"
                dataKey={`s${index}`}
                name={s.name}
                stroke={PALETTE[index % PALETTE.length]}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}
