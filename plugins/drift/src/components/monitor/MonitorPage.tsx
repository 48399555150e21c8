import {
  Content,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { DriftCheck } from '@internal/backstage-plugin-drift-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { rootRouteRef } from '../../routes';
import { LabelsCard } from '../labels/LabelsCard';
import { CheckReportCard } from '../report/CheckReportCard';
import { CheckHistoryChart } from './CheckHistoryChart';
import { ChecksTable } from './ChecksTable';
import { DeleteMonitorButton } from './DeleteMonitorButton';
import { MonitorFactsCard } from './MonitorFactsCard';
import { RunningCheckProgress } from './RunningCheckProgress';
import { useCheckReport } from './useCheckReport';
import { useCheckRun } from './useCheckRun';
import { latestFinishedCheck, useChecks } from './useChecks';
import { useMonitor } from './useMonitor';

/** One monitor: what it watches, "Run check now", its history and the report of a check. */
export function MonitorPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const listPath = useRouteRef(rootRouteRef);
  const monitor = useMonitor(id);
  const checks = useChecks(id);
  const [selectedId, setSelectedId] = useState<string>();
  const { retry: reloadChecks } = checks;
  const onCheckFinished = useCallback(
    (finished: DriftCheck) => {
      setSelectedId(finished.id);
      reloadChecks();
    },
    [reloadChecks],
  );
  const run = useCheckRun(id, onCheckFinished);

  // A check that was already running when the page opened is followed too.
  const newest = checks.value?.[0];
  const { follow } = run;
  const followed = run.check !== undefined;
  useEffect(() => {
    if (!followed && newest?.status === 'RUNNING') follow(newest);
  }, [followed, newest, follow]);

  const shownId = selectedId ?? latestFinishedCheck(checks.value ?? [])?.id;
  const report = useCheckReport(id, shownId, run.check);

  // Read again after labels were added: the page stays while it is.
  if (monitor.loading && !monitor.value) return <Progress />;
  if (monitor.error) return <ResponseErrorPanel error={monitor.error} />;
  if (!monitor.value) return null;
  const m = monitor.value;

  async function runCheck() {
    await run.start();
    reloadChecks();
  }

  return (
    <Content>
      <Box display="flex" alignItems="center" mb={2} style={{ gap: 8 }}>
        <Typography variant="h4" component="h1" style={{ flexGrow: 1 }}>
          {m.name}
        </Typography>
        <Button
          variant="contained"
          color="primary"
          startIcon={<PlayArrowIcon />}
          disabled={run.running}
          onClick={runCheck}
        >
          Run check now
        </Button>
        <DeleteMonitorButton
          monitor={m}
          onDeleted={() => navigate(listPath?.() ?? '/drift')}
        />
      </Box>
      {run.running && <RunningCheckProgress window={m.window} />}
      {run.error && (
        <Alert severity="error" style={{ marginBottom: 16 }}>
          {run.error}
        </Alert>
      )}
      <Grid container spacing={3}>
        <Grid item xs={12} md={5}>
          <MonitorFactsCard monitor={m} />
          <Box mt={3}>
            <LabelsCard monitor={m} onLabelsStored={monitor.retry} />
          </Box>
        </Grid>
        <Grid item xs={12} md={7}>
          <InfoCard title="History">
            <CheckHistoryChart
              checks={checks.value ?? []}
              selectedCheckId={shownId}
              onSelect={setSelectedId}
            />
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <CheckReportCard
            check={report.value}
            loading={report.loading || (checks.loading && !checks.value)}
            error={report.error}
          />
        </Grid>
        <Grid item xs={12}>
          {checks.error ? (
            <ResponseErrorPanel error={checks.error} />
          ) : (
            <ChecksTable
              checks={checks.value ?? []}
              loading={checks.loading}
              selectedCheckId={shownId}
              onSelect={setSelectedId}
            />
          )}
        </Grid>
      </Grid>
    </Content>
  );
}
