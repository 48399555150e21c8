import { useTheme } from '@material-ui/core/styles';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

/** Probability per class as bars; the predicted class stands out. */
export function ProbabilityChart(props: {
  probabilities: number[];
  predicted: number;
}) {
  const theme = useTheme();
  const rows = props.probabilities.map((p, index) => ({
    label: String(index),
    percent: Math.round(p * 1000) / 10,
  }));
  const height = 220;
  return (
    <figure aria-label="Class probabilities" style={{ margin: 0 }}>
      <figcaption>Class probabilities (%)</figcaption>
      <ResponsiveContainer
        width="100%"
        height={height}
        initialDimension={{ width: 360, height }}
      >
        <BarChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" stroke={theme.palette.text.secondary} />
          <YAxis domain={[0, 100]} stroke={theme.palette.text.secondary} />
          <Tooltip />
          <Bar
            dataKey="percent"
            name="probability (%)"
            fill={theme.palette.primary.main}
            isAnimationActive={false}
          >
            {rows.map(row => (
              <Cell
                key={row.label}
                fill={
                  row.label === String(props.predicted)
                    ? theme.palette.secondary.main
                    : theme.palette.primary.main
                }
              />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
