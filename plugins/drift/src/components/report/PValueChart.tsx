import { DriftTest } from '@internal/backstage-plugin-drift-common';
import { useTheme } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { VERDICT_COLORS } from '../verdictColors';
import { formatSmallNumber } from '../formatValues';
import { pValueAxisFloor, pValueRows } from './reportRows';

function distanceTestsCaption(tests: DriftTest[]): string | undefined {
  const distances = tests.filter(
    t => t.pValue === undefined || t.pValue === null,
  );
  if (distances.length === 0) return undefined;
  return `Distance tests (no p-value; drift above the threshold): ${distances
    .map(
      t =>
        `${t.name} ${t.kind} ${formatSmallNumber(
          t.statistic,
        )} vs ${formatSmallNumber(t.threshold)}${t.drifted ? ', drifted' : ''}`,
    )
    .join('; ')}.`;
}

/**
 * Each test's p-value on a reversed log axis (1 at the bottom): the smaller the p-value, the
 * taller the bar; the bars that cross the threshold line rejected, and stand out in colour.
 */
export function PValueChart(props: { tests: DriftTest[] }) {
  const theme = useTheme();
  const floor = pValueAxisFloor(props.tests);
  const rows = pValueRows(props.tests, floor);
  const thresholds = [
    ...new Set(
      props.tests
        .filter(t => t.pValue !== undefined && t.pValue !== null)
        .map(t => t.threshold),
    ),
  ];
  const caption = distanceTestsCaption(props.tests);
  const height = 240;
  return (
    <figure aria-label="p-values of the tests" style={{ margin: 0 }}>
      <figcaption>
        <Typography variant="subtitle2">
          p-value of each test (log scale)
        </Typography>
        {caption && (
          <Typography variant="caption" color="textSecondary">
            {caption}
          </Typography>
        )}
      </figcaption>
      {rows.length > 0 && (
        <ResponsiveContainer
          width="100%"
          height={height}
          initialDimension={{ width: 480, height }}
        >
          <BarChart data={rows}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="name" stroke={theme.palette.text.secondary} />
            <YAxis
              scale="log"
              domain={[floor, 1]}
              reversed
              allowDataOverflow
              tickFormatter={formatSmallNumber}
              width={64}
              stroke={theme.palette.text.secondary}
            />
            <Tooltip
              formatter={(_value: number, _name: string, item) =>
                formatSmallNumber(item.payload.pValue)
              }
            />
            <Bar dataKey="span" name="p-value" isAnimationActive={false}>
              {rows.map(row => (
                <Cell
                  key={row.name}
                  fill={
                    row.drifted
                      ? VERDICT_COLORS.DRIFT
                      : theme.palette.primary.main
                  }
                />
              ))}
            </Bar>
            {thresholds.map(threshold => (
              <ReferenceLine
                key={threshold}
                y={threshold}
                stroke={VERDICT_COLORS.DRIFT}
                strokeDasharray="4 4"
                label={{
                  value: `threshold ${formatSmallNumber(threshold)}`,
                  position: 'insideTopRight',
                  fill: theme.palette.text.secondary,
                  fontSize: 12,
                }}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}
