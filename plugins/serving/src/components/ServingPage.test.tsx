import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { servingApiRef } from '../api';
import { renderServingAt } from '../__testUtils__/renderServing';
import {
  aDeployment,
  apiRefusal,
  fakeClustersApi,
  fakeServingApi,
  summaryOf,
} from '../testing/fixtures';
import { DeployedModelsWidget } from './DeployedModelsWidget';

const canary = aDeployment({
  versions: [
    { version: '3', weight: 80 },
    { version: '4', weight: 20 },
  ],
});

describe('ServingPage', () => {
  it('lists each deployment with its model, versions and weights, cluster, state, endpoint and link', async () => {
    const { api, mocks } = fakeServingApi({
      listDeployments: jest.fn(async () => ({ items: [summaryOf(canary)] })),
      getDeployment: jest.fn(async () => canary),
    });
    await renderServingAt('/serving', api);

    expect(await screen.findByText('v3 80% · v4 20%')).toBeInTheDocument();
    // The list carries the versions: no read per deployment.
    expect(mocks.listDeployments).toHaveBeenCalledWith(100);
    expect(mocks.getDeployment).not.toHaveBeenCalled();
    expect(screen.getByText('mnist-prod').closest('a')).toHaveAttribute(
      'href',
      `/serving/deployments/${canary.id}`,
    );
    expect(screen.getByText('mnist-cnn')).toBeInTheDocument();
    expect(screen.getByText('local')).toBeInTheDocument();
    expect(
      screen.getByText('http://127.0.0.1:8000/mnist-prod').closest('a'),
    ).toHaveAttribute('href', 'http://127.0.0.1:8000/mnist-prod');

    await userEvent.hover(screen.getByText('HEALTHY'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'all 2 replicas are running',
    );
  });

  it('shows a spinner on a deployment that Ray Serve is still deploying', async () => {
    const deploying = aDeployment({ state: 'DEPLOYING', message: undefined });
    const { api } = fakeServingApi({
      listDeployments: jest.fn(async () => ({ items: [summaryOf(deploying)] })),
      getDeployment: jest.fn(async () => deploying),
    });
    await renderServingAt('/serving', api);

    expect(await screen.findByText('DEPLOYING')).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', { name: 'deploying in progress' }),
    ).toBeInTheDocument();
  });

  it('explains how to deploy when nothing is deployed', async () => {
    const { api } = fakeServingApi({
      listDeployments: jest.fn(async () => ({ items: [] })),
    });
    await renderServingAt('/serving', api);

    expect(
      await screen.findByText('No model is deployed yet.'),
    ).toBeInTheDocument();
    expect(screen.getByText(/Press “Deploy a model”/)).toBeInTheDocument();
  });
});

describe('Deploy a model', () => {
  async function openDialog(clusters = ['local', 'gpu-pool']) {
    const fake = fakeServingApi({
      listDeployments: jest.fn(async () => ({ items: [] })),
    });
    const clustersApi = fakeClustersApi(clusters);
    await renderServingAt('/serving', fake.api, clustersApi.api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Deploy a model' }),
    );
    return { ...fake, dialog: await screen.findByRole('dialog') };
  }

  it('names each missing or wrong field and sends nothing', async () => {
    const { dialog, mocks } = await openDialog();
    await userEvent.clear(within(dialog).getByLabelText('Replicas'));
    await userEvent.type(within(dialog).getByLabelText('Replicas'), '0');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Deploy' }),
    );

    expect(
      within(dialog).getByText('Name a registered model'),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText('A registered version number, such as 3'),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText('Pick a cluster of your team'),
    ).toBeInTheDocument();
    expect(within(dialog).getByText('From 1 to 100')).toBeInTheDocument();
    expect(mocks.createDeployment).not.toHaveBeenCalled();
  });

  it('deploys with autoscaling on the chosen cluster and opens the deployment', async () => {
    const { dialog, mocks } = await openDialog();
    await userEvent.type(
      within(dialog).getByLabelText('Registered model'),
      'MNIST_cnn',
    );
    expect(within(dialog).getByLabelText('Deployment name')).toHaveValue(
      'mnist-cnn',
    );
    await userEvent.type(within(dialog).getByLabelText('Version'), '4');
    await userEvent.click(
      within(dialog).getByRole('button', { name: /Ray cluster/ }),
    );
    await userEvent.click(
      await screen.findByRole('option', { name: /gpu-pool/ }),
    );
    await userEvent.click(within(dialog).getByLabelText('Autoscaling'));
    await userEvent.clear(within(dialog).getByLabelText('Max replicas'));
    await userEvent.type(within(dialog).getByLabelText('Max replicas'), '3');
    await userEvent.clear(within(dialog).getByLabelText('GPUs per replica'));
    await userEvent.type(
      within(dialog).getByLabelText('GPUs per replica'),
      '0.5',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Deploy' }),
    );

    await waitFor(() =>
      expect(mocks.createDeployment).toHaveBeenCalledWith({
        name: 'mnist-cnn',
        modelName: 'MNIST_cnn',
        modelVersion: '4',
        cluster: 'gpu-pool',
        autoscaling: {
          minReplicas: 1,
          maxReplicas: 3,
          targetOngoingRequests: 2,
        },
        cpus: 1,
        gpus: 0.5,
      }),
    );
    expect(
      await screen.findByRole('heading', { name: 'mnist-prod' }),
    ).toBeInTheDocument();
  });

  it('opens filled in from a link that names the model version', async () => {
    const { api } = fakeServingApi({
      listDeployments: jest.fn(async () => ({ items: [] })),
    });
    await renderServingAt('/serving?deploy=mnist-cnn&version=7', api);

    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('Registered model')).toHaveValue(
      'mnist-cnn',
    );
    expect(within(dialog).getByLabelText('Version')).toHaveValue('7');
    expect(within(dialog).getByLabelText('Deployment name')).toHaveValue(
      'mnist-cnn',
    );
  });

  it("shows the API's refusal as it is", async () => {
    const { dialog, mocks } = await openDialog(['local']);
    mocks.createDeployment.mockRejectedValue(
      await apiRefusal(
        404,
        'Registered model "mnist-cnn" has no version 9 in MLflow',
      ),
    );
    await userEvent.type(
      within(dialog).getByLabelText('Registered model'),
      'mnist-cnn',
    );
    await userEvent.type(within(dialog).getByLabelText('Version'), '9');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Deploy' }),
    );

    expect(
      await within(dialog).findByText(
        'Registered model "mnist-cnn" has no version 9 in MLflow',
      ),
    ).toBeInTheDocument();
    expect(mocks.createDeployment).toHaveBeenCalledWith(
      expect.objectContaining({ cluster: 'local', replicas: 1 }),
    );
  });
});

describe('DeployedModelsWidget', () => {
  it('shows the five most recent deployments', async () => {
    const { api, mocks } = fakeServingApi();
    await renderInTestApp(<DeployedModelsWidget />, {
      apis: [[servingApiRef, api]],
    });

    expect(await screen.findByText('mnist-cnn')).toBeInTheDocument();
    expect(screen.getByText('v3 100%')).toBeInTheDocument();
    expect(screen.queryByText('mnist-prod')).not.toBeInTheDocument();
    expect(mocks.listDeployments).toHaveBeenCalledWith(5);
  });
});
