import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { AreaPage } from '@internal/mlops-react';
import Button from '@material-ui/core/Button';
import AddIcon from '@material-ui/icons/Add';
import { useCallback, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { servingApiRef } from '../api';
import { deploymentRouteRef } from '../routes';
import { DeploymentsTable } from './DeploymentsTable';
import { DeployModelDialog } from './DeployModelDialog';
import { useDeploymentsWithVersions } from './useDeployments';

export function ServingPage() {
  const api = useApi(servingApiRef);
  const navigate = useNavigate();
  const deploymentPath = useRouteRef(deploymentRouteRef);
  const loadStatus = useCallback(() => api.getStatus(), [api]);
  const deployments = useDeploymentsWithVersions();
  // ?deploy=<registered model>&version=<v> opens the dialog filled in: other pages link here.
  const [searchParams] = useSearchParams();
  const preset = searchParams.get('deploy');
  const [deploying, setDeploying] = useState(!!preset);
  return (
    <>
      <Button
        variant="contained"
        color="primary"
        startIcon={<AddIcon />}
        onClick={() => setDeploying(true)}
        style={{ margin: '24px 24px 0' }}
      >
        Deploy a model
      </Button>
      {deploying && (
        <DeployModelDialog
          open
          initial={
            preset
              ? {
                  modelName: preset,
                  modelVersion: searchParams.get('version') ?? '',
                }
              : undefined
          }
          onClose={() => setDeploying(false)}
          onDeployed={created => {
            setDeploying(false);
            const to = deploymentPath?.({ id: created.id });
            if (to) navigate(to);
            else deployments.retry();
          }}
        />
      )}
      <AreaPage
        title="Deployments"
        items={deployments}
        renderItems={items => <DeploymentsTable deployments={items} />}
        statusTitle="Ray Serve and database"
        loadStatus={loadStatus}
      />
    </>
  );
}
