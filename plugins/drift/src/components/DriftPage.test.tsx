import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  DriftClient,
  DriftMonitor,
} from '@internal/backstage-plugin-drift-common';
import { screen } from '@testing-library/react';
import { driftApiRef } from '../api';
import { DriftPage } from './DriftPage';

const monitor: DriftMonitor = {
  id: '0f8a7a52-5d0e-4a38-9a5b-6a4f8d1a2c3b',
  name: 'mnist-cnn-inputs',
  owner: 'group:default/data-science',
  deployment: 'mnist-cnn',
  schedule: '0 * * * *',
  lastCheckAt: '2026-01-02T00:00:00.000Z',
  lastResult: 'DRIFT',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
};

function fakeApi(monitors: DriftMonitor[]) {
  return {
    listMonitors: async () => ({ items: monitors }),
    getStatus: async () => ({
      pluginId: 'drift',
      checkedAt: new Date().toISOString(),
      dependencies: [
        {
          name: 'n8n webhook',
          ok: false,
          message: 'n8n is not reachable: http://n8n:5678/healthz refused',
        },
      ],
    }),
  } as unknown as DriftClient;
}

describe('DriftPage', () => {
  it('shows each monitor with its last result and the status checks', async () => {
    await renderInTestApp(<DriftPage />, {
      apis: [[driftApiRef, fakeApi([monitor])]],
    });

    expect(await screen.findByText('mnist-cnn-inputs')).toBeInTheDocument();
    expect(screen.getByText('mnist-cnn')).toBeInTheDocument();
    expect(screen.getByText('0 * * * *')).toBeInTheDocument();
    expect(screen.getByText('drift')).toBeInTheDocument();
    expect(
      await screen.findByText(
        'n8n is not reachable: http://n8n:5678/healthz refused',
      ),
    ).toBeInTheDocument();
  });

  it('says so when there is no monitor', async () => {
    await renderInTestApp(<DriftPage />, {
      apis: [[driftApiRef, fakeApi([])]],
    });

    expect(
      await screen.findByText('No drift monitor yet.'),
    ).toBeInTheDocument();
    // The status card loads on its own.
    expect(
      await screen.findByText(
        'n8n is not reachable: http://n8n:5678/healthz refused',
      ),
    ).toBeInTheDocument();
  });
});
