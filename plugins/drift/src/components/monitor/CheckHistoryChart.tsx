import {
  DriftCheck,
  DriftVerdict,
} from '@internal/backstage-plugin-drift-common';
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
import { VERDICT_COLORS } from '../verdictColors';
import { VerdictLegend } from './VerdictLegend';

/** A finished check as a point in time; values in percent. */
export type HistoryPoint = {
  t: number;
  checkId: string;
  verdict?: DriftVerdict;
  driftScore?: number;
  estimatedAccuracy?: number;
  /** Only where the window had labelled inputs. */
  realAccuracy?: number;
};

const percent = (share?: number) =>
  share === undefined || share === null ? undefined : share * 100;

/** The checks that found something, oldest first. */
export function historyPoints(checks: DriftCheck[]): HistoryPoint[] {
  return checks
    .filter(check => check.status === 'SUCCEEDED')
    .map(check => ({
      t: Date.parse(check.startedAt),
      checkId: check.id,
      verdict: check.verdict,
      driftScore: percent(check.driftScore),
      estimatedAccuracy: percent(check.estimatedAccuracy),
      realAccuracy: percent(check.realAccuracy),
    }))
    .sort((a, b) => a.t - b.t);
}

const TWO_DAYS_MS = 2 * 86_400_000;

/** A time on the axis: the date over a long history, the day and hour over a short one. */
function formatCheckTime(t: number, spanMs: number): string {
  const date = new Date(t);
  return spanMs > TWO_DAYS_MS
    ? date.toLocaleDateString()
    : date.toLocaleString([], {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      });
}

type DotProps = {
  cx?: number;
  cy?: number | null;
  index?: number;
  payload?: HistoryPoint;
};

/**
 * Drift score, estimated accuracy and (where requests were labelled) real accuracy of each
 * finished check over time, each point in the colour of its verdict; clicking a point selects its
 * check.
 */
export function CheckHistoryChart(props: {
  checks: DriftCheck[];
  selectedCheckId?: string;
  onSelect: (checkId: string) => void;
}) {
  const theme = useTheme();
  const { selectedCheckId, onSelect } = props;
  const points = historyPoints(props.checks);
  const span = points.length ? points[points.length - 1].t - points[0].t : 0;
  const withReal = points.some(p => p.realAccuracy !== undefined);
  const height = 260;
  const renderDot = ({ cx, cy, index, payload }: DotProps) => {
    // A check without a value on this line (no labelled input) gets no point.
    if (cx === undefined || cy === undefined || cy === null || !payload) {
      return <g key={index} />;
    }
    const selected = payload.checkId === selectedCheckId;
    return (
      <circle
        key={index}
        cx={cx}
        cy={cy}
        r={selected ? 7 : 5}
        fill={payload.verdict ? VERDICT_COLORS[payload.verdict] : '#999'}
        stroke={selected ? theme.palette.text.primary : '#fff'}
        strokeWidth={selected ? 2 : 1}
        style={{ cursor: 'pointer' }}
        onClick={() => onSelect(payload.checkId)}
      />
    );
  };
  return (
    <figure aria-label="Drift history" style={{ margin: 0 }}>
      <figcaption>
        <Typography variant="subtitle2">
          {withReal
            ? 'Drift score, estimated and real accuracy per check'
            : 'Drift score and estimated accuracy per check'}
        </Typography>
      </figcaption>
      {points.length === 0 ? (
        <Typography
          variant="body2"
          color="textSecondary"
          style={{ height, display: 'flex', alignItems: 'center' }}
        >
          No finished check yet: press “Run check now”, or wait for the
          schedule.
        </Typography>
      ) : (
        <>
          <ResponsiveContainer
            width="100%"
            height={height}
            initialDimension={{ width: 480, height }}
          >
            <LineChart
              data={points}
              onClick={state => {
                const point = state?.activePayload?.[0]?.payload as
                  | HistoryPoint
                  | undefined;
                if (point) onSelect(point.checkId);
              }}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={['dataMin', 'dataMax']}
                tickFormatter={t => formatCheckTime(t, span)}
                stroke={theme.palette.text.secondary}
              />
              <YAxis
                domain={[0, 100]}
                tickFormatter={v => `${v} %`}
                width={56}
                stroke={theme.palette.text.secondary}
              />
              <Tooltip
                labelFormatter={t => new Date(Number(t)).toLocaleString()}
                formatter={(value: number) => `${value.toFixed(0)} %`}
              />
              <Legend />
              <Line
                type="monotone"
                dataKey="driftScore"
                name="drift score"
                stroke={theme.palette.secondary.main}
                dot={renderDot}
                activeDot={false}
                isAnimationActive={false}
                connectNulls
              />
              <Line
                type="monotone"
                dataKey="estimatedAccuracy"
                name="estimated accuracy"
                stroke={theme.palette.primary.main}
                strokeDasharray="5 3"
                dot={renderDot}
                activeDot={false}
                isAnimationActive={false}
                connectNulls
              />
              {withReal && (
                <Line
                  type="monotone"
                  dataKey="realAccuracy"
                  name="real accuracy"
                  stroke={theme.palette.primary.main}
                  dot={renderDot}
                  activeDot={false}
                  isAnimationActive={false}
                  connectNulls
                />
              )}
            </LineChart>
          </ResponsiveContainer>
          <VerdictLegend />
        </>
      )}
    </figure>
  );
}
