import { useApi } from '@backstage/frontend-plugin-api';
import { AreaPage } from '@internal/mlops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { useCallback, useState } from 'react';
import { useClusters } from './useClusters';
import { rayClustersApiRef } from '../api';
import { ClustersTable } from './ClustersTable';
import { CreateClusterDialog } from './CreateClusterDialog';

export function ClustersPage() {
  const api = useApi(rayClustersApiRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const clusters = useClusters();
  const [creating, setCreating] = useState(false);
  return (
    <>
      <AreaPage
        title="Clusters"
        items={clusters}
        renderItems={items => (
          <>
            <Box display="flex" justifyContent="flex-end" mb={1}>
              <Button
                variant="contained"
                color="primary"
                onClick={() => setCreating(true)}
              >
                New cluster
              </Button>
            </Box>
            <ClustersTable clusters={items} />
          </>
        )}
        statusTitle="Ray connectivity"
        loadStatus={loadStatus}
      />
      <CreateClusterDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={() => {
          setCreating(false);
          clusters.retry();
        }}
      />
    </>
  );
}
