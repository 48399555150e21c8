import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { AreaPage } from '@internal/mlops-react';
import Button from '@material-ui/core/Button';
import AddIcon from '@material-ui/icons/Add';
import { useCallback, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { driftApiRef } from '../../api';
import { monitorRouteRef } from '../../routes';
import { MonitorsTable } from './MonitorsTable';
import { NewMonitorDialog } from './NewMonitorDialog';
import { useMonitors } from './useMonitors';

/** The team's drift monitors with their last checks, and "New monitor". */
export function MonitorsPage() {
  const api = useApi(driftApiRef);
  const navigate = useNavigate();
  const monitorPath = useRouteRef(monitorRouteRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const monitors = useMonitors();
  const [creating, setCreating] = useState(false);
  return (
    <>
      <Button
        variant="contained"
        color="primary"
        startIcon={<AddIcon />}
        onClick={() => setCreating(true)}
        style={{ margin: '24px 24px 0' }}
      >
        New monitor
      </Button>
      {creating && (
        <NewMonitorDialog
          open
          onClose={() => setCreating(false)}
          onCreated={created => {
            setCreating(false);
            const to = monitorPath?.({ id: created.id });
            if (to) navigate(to);
            else monitors.retry();
          }}
        />
      )}
      <AreaPage
        title="Drift monitors"
        items={monitors}
        renderItems={items => <MonitorsTable monitors={items} />}
        statusTitle="Drift status"
        loadStatus={loadStatus}
      />
    </>
  );
}
