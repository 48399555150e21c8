import { useApi } from '@backstage/frontend-plugin-api';
import { AreaPage } from '@internal/mlops-react';
import { useCallback } from 'react';
import { useJobs } from './useJobs';
import { experimentsApiRef } from '../api';
import { JobsTable } from './JobsTable';

export function ExperimentsPage() {
  const api = useApi(experimentsApiRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const jobs = useJobs();
  return (
    <AreaPage
      title="Training runs"
      items={jobs}
      renderItems={items => <JobsTable jobs={items} />}
      statusTitle="MLflow and database"
      loadStatus={loadStatus}
    />
  );
}
