import { useTheme } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ComparisonRow } from './reportRows';

/** Reference and current shares side by side, per bin or class (percentages). */
export function ComparisonBarChart(props: {
  title: string;
  rows: ComparisonRow[];
  caption?: string;
  height?: number;
}) {
  const theme = useTheme();
  const height = props.height ?? 220;
  return (
    <figure aria-label={props.title} style={{ margin: 0 }}>
      <figcaption>
        <Typography variant="subtitle2">{props.title}</Typography>
        {props.caption && (
          <Typography variant="caption" color="textSecondary">
            {props.caption}
          </Typography>
        )}
      </figcaption>
      <ResponsiveContainer
        width="100%"
        height={height}
        initialDimension={{ width: 480, height }}
      >
        <BarChart data={props.rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" stroke={theme.palette.text.secondary} />
          <YAxis
            tickFormatter={v => `${v} %`}
            width={56}
            stroke={theme.palette.text.secondary}
          />
          <Tooltip formatter={(value: number) => `${value.toFixed(1)} %`} />
          <Legend />
          <Bar
            dataKey="reference"
            name="reference"
            fill={theme.palette.grey[500]}
            isAnimationActive={false}
          />
          <Bar
            dataKey="current"
            name="window"
            fill={theme.palette.secondary.main}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
