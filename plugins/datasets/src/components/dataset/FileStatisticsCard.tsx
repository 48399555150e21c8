import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  ClassCount,
  ColumnSummary,
  NpzArrayInfo,
} from '@internal/backstage-plugin-datasets-common';
import { Typography } from '@material-ui/core';
import { useTheme } from '@material-ui/core/styles';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import useAsync from 'react-use/esm/useAsync';
import { datasetsApiRef } from '../../api';

function CountChart(props: {
  title: string;
  data: { name: string; count: number }[];
}) {
  const theme = useTheme();
  return (
    <figure aria-label={props.title} style={{ margin: '0 0 16px' }}>
      <figcaption>
        <Typography variant="subtitle2">{props.title}</Typography>
      </figcaption>
      <ResponsiveContainer
        width="100%"
        height={180}
        initialDimension={{ width: 400, height: 180 }}
      >
        <BarChart data={props.data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="name" stroke={theme.palette.text.secondary} />
          <YAxis allowDecimals={false} stroke={theme.palette.text.secondary} />
          <Tooltip />
          <Bar
            dataKey="count"
            fill={theme.palette.primary.main}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

function round(value: number | undefined) {
  return value === undefined ? '—' : Number(value.toPrecision(4)).toString();
}

function ColumnChart(props: { column: ColumnSummary }) {
  const { column } = props;
  const data = column.histogram
    ? column.histogram.map(b => ({ name: round(b.from), count: b.count }))
    : (column.topValues ?? []).map(v => ({ name: v.value, count: v.count }));
  const numbers =
    column.mean !== undefined
      ? `, min ${round(column.min)}, mean ${round(column.mean)}, max ${round(
          column.max,
        )}, std ${round(column.std)}`
      : `, ${column.distinct} distinct`;
  return (
    <CountChart
      title={`${column.name} (${column.type}; ${column.count} values, ${column.missing} missing${numbers})`}
      data={data}
    />
  );
}

function ClassBalance(props: { title: string; counts: ClassCount[] }) {
  return (
    <CountChart
      title={props.title}
      data={props.counts.map(c => ({ name: String(c.label), count: c.count }))}
    />
  );
}

function ArrayList(props: { arrays: NpzArrayInfo[] }) {
  return (
    <Typography component="div" gutterBottom>
      {props.arrays.length} arrays:
      <ul style={{ margin: '4px 0' }}>
        {props.arrays.map(a => (
          <li key={a.name}>
            <code>{a.name}</code> {a.shape.join(' × ') || 'scalar'} {a.dtype}
            {a.fortranOrder && ' (Fortran order)'}
          </li>
        ))}
      </ul>
    </Typography>
  );
}

/**
 * Class balance of label files, .npz label arrays and image folders, per-column summaries of
 * tables (CSV, Parquet), as charts.
 */
export function FileStatisticsCard(props: {
  datasetId: string;
  version: string;
  path: string;
}) {
  const api = useApi(datasetsApiRef);
  const { value, loading, error } = useAsync(
    () => api.getStatistics(props.datasetId, props.version, props.path),
    [api, props.datasetId, props.version, props.path],
  );
  return (
    <InfoCard title={`Statistics of ${props.path}`}>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value?.kind === 'table' && (
        <>
          <Typography gutterBottom>{value.rowCount} rows</Typography>
          {value.columns.map(c => (
            <ColumnChart key={c.name} column={c} />
          ))}
        </>
      )}
      {value?.kind === 'idx' && (
        <>
          <Typography gutterBottom>
            Shape {value.dimensions.join(' × ')}
            {value.meanValue !== undefined &&
              `, mean value ${round(value.meanValue)}`}
          </Typography>
          {value.classCounts && (
            <ClassBalance title="Class balance" counts={value.classCounts} />
          )}
        </>
      )}
      {value?.kind === 'npz' && (
        <>
          <ArrayList arrays={value.arrays} />
          {value.labels ? (
            <ClassBalance
              title={`Class balance of ${value.labels.array}`}
              counts={value.labels.classCounts}
            />
          ) : (
            <Typography>
              No label array (a 1-D array named like y, labels or targets).
            </Typography>
          )}
        </>
      )}
      {value?.kind === 'imageFolder' && (
        <>
          <Typography gutterBottom>
            {value.imageCount} images in {value.classCounts.length} classes
            {value.root && ` under ${value.root}/`}
          </Typography>
          <ClassBalance title="Images per class" counts={value.classCounts} />
        </>
      )}
      {value?.kind === 'other' && (
        <Typography>No statistics for this file type.</Typography>
      )}
    </InfoCard>
  );
}
