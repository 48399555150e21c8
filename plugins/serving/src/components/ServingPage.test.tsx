import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import {
  ModelDeployment,
  ServingClient,
} from '@internal/backstage-plugin-serving-common';
import { servingApiRef } from '../api';
import { DeployedModelsWidget } from './DeployedModelsWidget';
import { ServingPage } from './ServingPage';

const healthy: ModelDeployment = {
  id: '0b6f1a52-3f0e-4d8e-9d3b-7c1a2b3c4d5e',
  name: 'mnist-prod',
  owner: 'group:default/data-science',
  modelName: 'mnist-cnn',
  modelVersion: '3',
  cluster: 'local',
  state: 'HEALTHY',
  endpoint: 'http://127.0.0.1:8000/mnist',
  createdAt: '2026-11-27T10:00:00.000Z',
  updatedAt: '2026-11-27T10:05:00.000Z',
};

function fakeApi(deployments: ModelDeployment[]) {
  const listDeployments = jest.fn(async (_limit?: number) => ({
    items: deployments,
  }));
  const api = {
    listDeployments,
    getStatus: async () => ({
      pluginId: 'serving',
      checkedAt: new Date().toISOString(),
      dependencies: [
        {
          name: 'Ray Serve on Local Ray',
          ok: false,
          message: 'Ray at x refused the token',
        },
      ],
    }),
  } as unknown as ServingClient;
  return { api, listDeployments };
}

describe('ServingPage', () => {
  it('shows each deployment with its model, state and endpoint, and the Serve status', async () => {
    const { api } = fakeApi([healthy]);
    await renderInTestApp(<ServingPage />, {
      apis: [[servingApiRef, api]],
    });

    expect(await screen.findByText('mnist-prod')).toBeInTheDocument();
    expect(screen.getByText('mnist-cnn v3')).toBeInTheDocument();
    expect(screen.getByText('HEALTHY')).toBeInTheDocument();
    expect(
      screen.getByText('http://127.0.0.1:8000/mnist').closest('a'),
    ).toHaveAttribute('href', 'http://127.0.0.1:8000/mnist');
    expect(
      await screen.findByText('Ray at x refused the token'),
    ).toBeInTheDocument();
  });

  it('says so when no model is deployed', async () => {
    const { api } = fakeApi([]);
    await renderInTestApp(<ServingPage />, {
      apis: [[servingApiRef, api]],
    });

    expect(
      await screen.findByText('No model is deployed yet.'),
    ).toBeInTheDocument();
  });
});

describe('DeployedModelsWidget', () => {
  it('shows the five most recent deployments', async () => {
    const { api, listDeployments } = fakeApi([healthy]);
    await renderInTestApp(<DeployedModelsWidget />, {
      apis: [[servingApiRef, api]],
    });

    expect(await screen.findByText('mnist-cnn v3')).toBeInTheDocument();
    expect(screen.queryByText('mnist-prod')).not.toBeInTheDocument();
    expect(listDeployments).toHaveBeenCalledWith(5);
  });
});
