import { useTheme } from '@material-ui/core/styles';
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
import { MetricRow } from '../../metricRows';

export type ChartLine = { key: string; name: string; color: string };

/** Curves of some metrics over epochs. */
export function MetricsChart(props: {
  title: string;
  rows: MetricRow[];
  lines: ChartLine[];
  height?: number;
}) {
  const theme = useTheme();
  const height = props.height ?? 260;
  return (
    <figure aria-label={props.title} style={{ margin: 0 }}>
      <figcaption>{props.title}</figcaption>
      <ResponsiveContainer
        width="100%"
        height={height}
        initialDimension={{ width: 480, height }}
      >
        <LineChart data={props.rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="epoch"
            allowDecimals={false}
            label={{
              value: 'epoch',
              position: 'insideBottomRight',
              offset: -4,
            }}
            stroke={theme.palette.text.secondary}
          />
          <YAxis stroke={theme.palette.text.secondary} />
          <Tooltip />
          <Legend />
          {props.lines.map(line => (
            <Line
              key={line.key}
              type="monotone"
              dataKey={line.key}
              name={line.name}
              stroke={line.color}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
