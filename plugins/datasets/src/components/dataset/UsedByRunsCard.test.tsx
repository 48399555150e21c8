import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { TrainingJob } from '@internal/backstage-plugin-experiments-common';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { UsedByRunsCard } from './UsedByRunsCard';

jest.setTimeout(60_000);
const slow = { timeout: 15_000 };

const V1 = 'a'.repeat(64);
const V2 = 'b'.repeat(64);

function run(name: string, version: string, state: TrainingJob['state']) {
  return {
    id: `${name}-id`,
    name,
    owner: 'group:default/data-science',
    state,
    attempts: 1,
    createdAt: '2026-11-27T10:00:00.000Z',
    updatedAt: '2026-11-27T10:05:00.000Z',
    config: {
      template: { id: 'mnist-cnn', version: '1.0.0' },
      dataset: { id: 'mnist-id', version, format: 'idx' },
      hyperparameters: {},
      seed: 1,
      resources: { numWorkers: 1, cpusPerWorker: 1, useGpu: false },
      cluster: 'local',
      runtimeVersion: '0.1.0',
      modelName: 'mnist-cnn-data-science',
    },
    links: {},
  } as TrainingJob;
}

/** The experiments backend as the real ExperimentsClient reaches it: over fetch. */
function fakeExperimentsBackend(jobs: TrainingJob[]) {
  const urls: URL[] = [];
  const fetch = jest.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input));
    urls.push(url);
    const datasetVersion = url.searchParams.get('datasetVersion');
    const items = jobs.filter(
      j =>
        j.config.dataset.id === url.searchParams.get('datasetId') &&
        (!datasetVersion || j.config.dataset.version === datasetVersion),
    );
    return new Response(JSON.stringify({ items }), {
      headers: { 'Content-Type': 'application/json' },
    });
  });
  const discovery = {
    getBaseUrl: async (pluginId: string) => `http://localhost/api/${pluginId}`,
  };
  return { fetch, discovery, urls };
}

describe('UsedByRunsCard', () => {
  it('lists the runs of the chosen version, and of every version when asked', async () => {
    const backend = fakeExperimentsBackend([
      run('on-v2', V2, 'SUCCEEDED'),
      run('also-on-v2', V2, 'FAILED'),
      run('on-v1', V1, 'SUCCEEDED'),
    ]);
    await renderInTestApp(
      <UsedByRunsCard datasetId="mnist-id" version={V2} />,
      {
        apis: [
          [fetchApiRef, { fetch: backend.fetch }],
          [discoveryApiRef, backend.discovery],
        ],
      },
    );

    expect(
      await screen.findByText('on-v2', undefined, slow),
    ).toBeInTheDocument();
    expect(screen.getByText('also-on-v2')).toBeInTheDocument();
    expect(screen.getByText('FAILED')).toBeInTheDocument();
    expect(screen.getAllByText('mnist-cnn 1.0.0')).toHaveLength(2);
    expect(screen.queryByText('on-v1')).not.toBeInTheDocument();
    expect(
      screen.getByText(`Training runs on version ${V2.slice(0, 12)}`),
    ).toBeInTheDocument();
    const first = backend.urls[0];
    expect(first.pathname).toBe('/api/experiments/jobs');
    expect(Object.fromEntries(first.searchParams)).toEqual({
      limit: '100',
      datasetId: 'mnist-id',
      datasetVersion: V2,
    });

    await userEvent.click(screen.getByLabelText('Runs of all versions'));
    expect(
      await screen.findByText('on-v1', undefined, slow),
    ).toBeInTheDocument();
    expect(screen.getByText(V1.slice(0, 12))).toBeInTheDocument();
    expect(
      Object.fromEntries(backend.urls[backend.urls.length - 1].searchParams),
    ).toEqual({ limit: '100', datasetId: 'mnist-id' });
  });

  it('says so when no run used the version', async () => {
    const backend = fakeExperimentsBackend([]);
    await renderInTestApp(
      <UsedByRunsCard datasetId="mnist-id" version={V1} />,
      {
        apis: [
          [fetchApiRef, { fetch: backend.fetch }],
          [discoveryApiRef, backend.discovery],
        ],
      },
    );
    expect(
      await screen.findByText(
        'No training run has used this version yet.',
        undefined,
        slow,
      ),
    ).toBeInTheDocument();
  });
});
