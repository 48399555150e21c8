import { ResolvedAutoTune } from '@internal/backstage-plugin-experiments-common';
import { orange } from '@material-ui/core/colors';
import { useTheme } from '@material-ui/core/styles';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { TUNE_METRIC_LABELS } from './autoTuneDraft';
import { BestSoFarPoint } from './trialMath';

/** The best metric of the tune so far over the minutes it ran. */
export function BestSoFarChart(props: {
  points: BestSoFarPoint[];
  autoTune: Pick<ResolvedAutoTune, 'metric' | 'mode'>;
}) {
  const theme = useTheme();
  const title = `Best ${TUNE_METRIC_LABELS[
    props.autoTune.metric
  ].toLowerCase()} so far`;
  return (
    <figure aria-label={title} style={{ margin: 0 }}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer
        width="100%"
        height={240}
        initialDimension={{ width: 480, height: 240 }}
      >
        <LineChart data={props.points}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="minutes"
            type="number"
            domain={[0, 'dataMax']}
            tickFormatter={(m: number) => m.toFixed(1)}
            label={{
              value: 'minutes',
              position: 'insideBottomRight',
              offset: -4,
            }}
            stroke={theme.palette.text.secondary}
          />
          <YAxis
            domain={['auto', 'auto']}
            stroke={theme.palette.text.secondary}
          />
          <Tooltip />
          <Line
            type="stepAfter"
            dataKey="best"
            name="best"
            stroke={orange[700]}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
