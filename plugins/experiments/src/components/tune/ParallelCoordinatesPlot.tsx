import {
  ResolvedAutoTune,
  SearchDimension,
  TuneTrial,
  bestTrialValue,
} from '@internal/backstage-plugin-experiments-common';
import { blue, grey, orange } from '@material-ui/core/colors';
import { useTheme } from '@material-ui/core/styles';
import { formatMetric, formatValue } from './format';

const WIDTH = 800;
const HEIGHT = 300;
const MARGIN = { top: 36, bottom: 28, side: 60 };

type Axis = {
  key: string;
  /** Position of a value from 0 (bottom) to 1 (top); undefined when it has none. */
  position: (value: unknown) => number | undefined;
  low: string;
  high: string;
};

function rangeAxis(
  key: string,
  min: number,
  max: number,
  log: boolean,
  label: (v: number) => string,
): Axis {
  const f = (v: number) => (log ? Math.log(v) : v);
  const span = f(max) - f(min) || 1;
  return {
    key,
    position: value =>
      typeof value === 'number' && (!log || value > 0)
        ? (f(value) - f(min)) / span
        : undefined,
    low: label(min),
    high: label(max),
  };
}

function dimensionAxis(key: string, dimension: SearchDimension): Axis {
  if (dimension.type === 'choice') {
    const values = dimension.values.map(v => JSON.stringify(v));
    const last = Math.max(1, values.length - 1);
    return {
      key,
      position: value => {
        const index = values.indexOf(JSON.stringify(value));
        if (index < 0) return undefined;
        return values.length === 1 ? 0.5 : index / last;
      },
      low: formatValue(dimension.values[0]),
      high: formatValue(dimension.values[dimension.values.length - 1]),
    };
  }
  return rangeAxis(
    key,
    dimension.min,
    dimension.max,
    dimension.type === 'loguniform',
    formatValue,
  );
}

/**
 * One vertical axis per searched hyperparameter and one for the metric; each trial is a line
 * through its values, the best one highlighted. Plain SVG.
 */
export function ParallelCoordinatesPlot(props: {
  trials: TuneTrial[];
  autoTune: ResolvedAutoTune;
}) {
  const { trials, autoTune } = props;
  const theme = useTheme();
  const bests = trials.map(t => bestTrialValue(t, autoTune));
  const known = bests.filter((v): v is number => v !== undefined);
  const metricAxis = rangeAxis(
    autoTune.metric,
    known.length ? Math.min(...known) : 0,
    known.length ? Math.max(...known) : 1,
    false,
    v => formatMetric(autoTune.metric, v),
  );
  const axes = [
    ...Object.entries(autoTune.searchSpace).map(([key, d]) =>
      dimensionAxis(key, d),
    ),
    metricAxis,
  ];
  const x = (i: number) =>
    MARGIN.side +
    (axes.length === 1
      ? 0
      : (i * (WIDTH - 2 * MARGIN.side)) / (axes.length - 1));
  const y = (p: number) =>
    HEIGHT - MARGIN.bottom - p * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const text = theme.palette.text.secondary;

  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width="100%"
      role="img"
      aria-label="Parallel coordinates of the trials"
    >
      {axes.map((axis, i) => (
        <g key={axis.key}>
          <line x1={x(i)} x2={x(i)} y1={y(0)} y2={y(1)} stroke={text} />
          <text x={x(i)} y={14} textAnchor="middle" fontSize={12} fill={text}>
            {axis.key}
          </text>
          <text
            x={x(i)}
            y={y(1) - 6}
            textAnchor="middle"
            fontSize={10}
            fill={text}
          >
            {axis.high}
          </text>
          <text
            x={x(i)}
            y={y(0) + 16}
            textAnchor="middle"
            fontSize={10}
            fill={text}
          >
            {axis.low}
          </text>
        </g>
      ))}
      {trials.map((trial, t) => {
        const values: unknown[] = [
          ...Object.keys(autoTune.searchSpace).map(k => trial.config[k]),
          bests[t],
        ];
        const points = axes
          .map((axis, i) => {
            const p = axis.position(values[i]);
            return p === undefined ? undefined : `${x(i)},${y(p)}`;
          })
          .filter(Boolean)
          .join(' ');
        let color: string = grey[400];
        if (trial.best) color = orange[700];
        else if (bests[t] !== undefined) color = blue[500];
        return (
          <polyline
            key={trial.trialId}
            data-testid={`trial-line-${trial.trialId}`}
            points={points}
            fill="none"
            stroke={color}
            strokeWidth={trial.best ? 3 : 1.5}
            strokeOpacity={trial.best ? 1 : 0.7}
            strokeDasharray={bests[t] === undefined ? '4 4' : undefined}
          >
            <title>
              {`${trial.trialId}: ${formatMetric(autoTune.metric, bests[t])}`}
            </title>
          </polyline>
        );
      })}
    </svg>
  );
}
