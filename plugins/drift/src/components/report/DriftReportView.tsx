import {
  DriftReport,
  DriftVerdict,
} from '@internal/backstage-plugin-drift-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import Alert, { Color } from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { AccuracySummary } from './AccuracySummary';
import { ComparisonBarChart } from './ComparisonBarChart';
import { DriftedSamplesGrid } from './DriftedSamplesGrid';
import { PValueChart } from './PValueChart';
import { driftedHistograms, histogramRows, predictionRows } from './reportRows';
import { predictionSentence, verdictSentence } from './verdictSentence';

const SEVERITY: Record<DriftVerdict, Color> = {
  DRIFT: 'warning',
  NO_DRIFT: 'success',
  NOT_ENOUGH_DATA: 'info',
};

/** What the check read: "model v3 · 500 requests, 500 inputs from … to … · reference 10000 inputs". */
function describeWindowRead(report: DriftReport): string {
  const { requests, instances, from, to } = report.window;
  const parts = [
    report.modelVersion ? `model v${report.modelVersion}` : undefined,
    `${requests ?? 0} requests, ${instances ?? 0} inputs${
      from && to
        ? ` from ${new Date(from).toLocaleString()} to ${new Date(
            to,
          ).toLocaleString()}`
        : ''
    }`,
    `reference ${report.referenceInstances} inputs`,
    report.durationS !== undefined
      ? `checked in ${report.durationS.toFixed(1)} s`
      : undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}

/** A drift report: the verdict in words, the tests, the distributions, the samples. */
export function DriftReportView(props: { report: DriftReport }) {
  const { report } = props;
  const histograms = driftedHistograms(report.tests);
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Alert severity={SEVERITY[report.verdict]}>
          <AlertTitle>{verdictSentence(report)}</AlertTitle>
          {report.prediction && predictionSentence(report.prediction)}
        </Alert>
        <Typography variant="body2" color="textSecondary" gutterBottom>
          {describeWindowRead(report)}
        </Typography>
        <AccuracySummary report={report} />
      </Grid>
      {report.tests.length > 0 && (
        <Grid item xs={12} md={6}>
          <PValueChart tests={report.tests} />
        </Grid>
      )}
      {report.prediction && (
        <Grid item xs={12} md={6}>
          <ComparisonBarChart
            title="Predicted classes"
            caption="Share of each predicted class in the reference and in the window"
            rows={predictionRows(report.prediction)}
          />
        </Grid>
      )}
      {histograms.map(({ name, histogram }) => (
        <Grid item xs={12} md={6} key={name}>
          <ComparisonBarChart
            title={`Distribution of ${name}`}
            caption="A drifted test: reference and window, share per bin"
            rows={histogramRows(histogram)}
          />
        </Grid>
      ))}
      {report.driftedSamples && report.driftedSamples.length > 0 && (
        <Grid item xs={12}>
          <DriftedSamplesGrid samples={report.driftedSamples} />
        </Grid>
      )}
    </Grid>
  );
}
