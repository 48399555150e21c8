import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderServingAt } from '../../__testUtils__/renderServing';
import {
  aDeployment,
  aKey,
  DEPLOYMENT_ID,
  fakeServingApi,
  someMetrics,
} from '../../testing/fixtures';

const PATH = `/serving/deployments/${DEPLOYMENT_ID}`;

describe('DeploymentPage', () => {
  it('shows the state, endpoint, versions and history', async () => {
    const { api, mocks } = fakeServingApi({
      getDeployment: jest.fn(async () =>
        aDeployment({
          versions: [
            { version: '2', weight: 0 },
            { version: '3', weight: 100 },
          ],
        }),
      ),
      getHistory: jest.fn(async () => ({
        items: [
          {
            id: 'h1',
            deploymentId: DEPLOYMENT_ID,
            actor: 'user:default/ada',
            at: '2026-11-27T10:05:00.000Z',
            action: 'rolled-back',
            details: { version: '3' },
            reason: 'v4 drifted',
          },
        ],
      })),
    });
    await renderServingAt(PATH, api);

    expect(
      await screen.findByRole('heading', { name: 'mnist-prod' }),
    ).toBeInTheDocument();
    expect(mocks.getDeployment).toHaveBeenCalledWith(DEPLOYMENT_ID);
    expect(screen.getByText('HEALTHY')).toBeInTheDocument();
    expect(
      screen.getAllByText('http://127.0.0.1:8000/mnist-prod')[0],
    ).toBeInTheDocument();
    const versions = screen.getByRole('table', { name: 'Versions' });
    expect(within(versions).getByText('kept for rollback')).toBeInTheDocument();
    expect(within(versions).getByText('champion')).toBeInTheDocument();
    expect(await screen.findByText('v4 drifted')).toBeInTheDocument();
    expect(screen.getByText('rolled-back')).toBeInTheDocument();
    expect(screen.getByText('version: 3')).toBeInTheDocument();
  });

  it('shows progress while Ray Serve deploys', async () => {
    const { api } = fakeServingApi({
      getDeployment: jest.fn(async () =>
        aDeployment({ state: 'DEPLOYING', endpoint: undefined }),
      ),
    });
    await renderServingAt(PATH, api);

    expect(
      await screen.findByRole('progressbar', {
        name: 'Ray Serve is deploying the model',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'The endpoint is known once Ray Serve has deployed the model.',
      ),
    ).toBeInTheDocument();
  });

  it('shifts traffic to a challenger with the slider: weights sum to 100', async () => {
    const { api, mocks } = fakeServingApi();
    mocks.setTraffic.mockResolvedValue(
      aDeployment({
        versions: [
          { version: '3', weight: 75 },
          { version: '4', weight: 25 },
        ],
      }),
    );
    await renderServingAt(PATH, api);

    await userEvent.type(
      await screen.findByLabelText('Challenger version'),
      '4',
    );
    const slider = screen.getByRole('slider');
    expect(slider).toHaveAttribute('aria-valuenow', '10');
    slider.focus();
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    fireEvent.keyDown(slider, { key: 'ArrowRight' });
    expect(screen.getByText('v3: 75% · v4: 25%')).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply traffic split' }),
    );

    await waitFor(() => expect(mocks.setTraffic).toHaveBeenCalledTimes(1));
    const [id, request] = mocks.setTraffic.mock.calls[0];
    expect(id).toBe(DEPLOYMENT_ID);
    expect(request.weights).toEqual({ '3': 75, '4': 25 });
    expect(
      Object.values(request.weights as Record<string, number>).reduce(
        (a, b) => a + b,
      ),
    ).toBe(100);
    const versions = await screen.findByRole('table', { name: 'Versions' });
    expect(within(versions).getByText('challenger')).toBeInTheDocument();
    expect(within(versions).getByText('25%')).toBeInTheDocument();
  });

  it('promotes the challenger, or aborts the canary by sending all traffic back', async () => {
    const canary = aDeployment({
      versions: [
        { version: '3', weight: 80 },
        { version: '4', weight: 20 },
      ],
    });
    const { api, mocks } = fakeServingApi({
      getDeployment: jest.fn(async () => canary),
      setTraffic: jest.fn(async () => canary),
    });
    await renderServingAt(PATH, api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Abort canary' }),
    );
    await waitFor(() =>
      expect(mocks.setTraffic).toHaveBeenCalledWith(DEPLOYMENT_ID, {
        weights: { '3': 100 },
        reason: 'canary of version 4 aborted',
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Promote v4' }));
    await waitFor(() =>
      expect(mocks.promote).toHaveBeenCalledWith(DEPLOYMENT_ID, undefined),
    );
  });

  it('rolls back only after confirmation, with the reason', async () => {
    const { api, mocks } = fakeServingApi({
      getDeployment: jest.fn(async () =>
        aDeployment({
          modelVersion: '4',
          versions: [
            { version: '2', weight: 0 },
            { version: '3', weight: 0 },
            { version: '4', weight: 100 },
          ],
        }),
      ),
    });
    await renderServingAt(PATH, api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Rollback…' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Roll back?')).toBeInTheDocument();
    expect(mocks.rollback).not.toHaveBeenCalled();
    await userEvent.click(
      within(dialog).getByRole('button', { name: /Version/ }),
    );
    await userEvent.click(await screen.findByRole('option', { name: 'v2' }));
    await userEvent.type(within(dialog).getByLabelText('Reason'), 'v4 drifted');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Roll back to v2' }),
    );

    await waitFor(() =>
      expect(mocks.rollback).toHaveBeenCalledWith(
        DEPLOYMENT_ID,
        '2',
        'v4 drifted',
      ),
    );
  });

  it('shows a new key once, then only its name', async () => {
    const created = { ...aKey(), key: 'mlops_s3cr3tK3yV4lu3' };
    const { api, mocks } = fakeServingApi({
      createApiKey: jest.fn(async () => created),
      listApiKeys: jest
        .fn()
        .mockResolvedValueOnce({ items: [] })
        .mockResolvedValue({
          items: [aKey({ lastUsedAt: undefined, expiresAt: undefined })],
        }),
    });
    await renderServingAt(PATH, api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Create key' }),
    );
    const form = await screen.findByRole('dialog');
    await userEvent.type(
      within(form).getByLabelText('Name'),
      'checkout-service',
    );
    await userEvent.clear(within(form).getByLabelText('Requests per second'));
    await userEvent.type(
      within(form).getByLabelText('Requests per second'),
      '5',
    );
    await userEvent.type(within(form).getByLabelText('Burst'), '10');
    await userEvent.click(within(form).getByRole('button', { name: 'Create' }));

    await waitFor(() =>
      expect(mocks.createApiKey).toHaveBeenCalledWith(DEPLOYMENT_ID, {
        name: 'checkout-service',
        requestsPerSecond: 5,
        burst: 10,
      }),
    );
    const shown = await screen.findByRole('dialog');
    expect(
      within(shown).getByDisplayValue('mlops_s3cr3tK3yV4lu3'),
    ).toBeInTheDocument();
    expect(
      within(shown).getByText(/this is the only time it is shown/),
    ).toBeInTheDocument();
    await userEvent.click(
      within(shown).getByRole('button', { name: 'I have copied it' }),
    );

    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(await screen.findByText('checkout-service')).toBeInTheDocument();
    expect(screen.getByText('never')).toBeInTheDocument();
    expect(screen.queryByDisplayValue('mlops_s3cr3tK3yV4lu3')).toBeNull();
    expect(screen.queryByText(/mlops_s3cr3tK3yV4lu3/)).toBeNull();
  });

  it('revokes a key after confirmation', async () => {
    const { api, mocks } = fakeServingApi({
      listApiKeys: jest.fn(async () => ({ items: [aKey()] })),
    });
    await renderServingAt(PATH, api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Revoke checkout-service' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(mocks.revokeApiKey).not.toHaveBeenCalled();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Yes, revoke it' }),
    );
    await waitFor(() =>
      expect(mocks.revokeApiKey).toHaveBeenCalledWith(DEPLOYMENT_ID, 'k1'),
    );
  });

  it('undeploys after confirmation and returns to the list', async () => {
    const { api, mocks } = fakeServingApi();
    await renderServingAt(PATH, api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Undeploy' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(mocks.deleteDeployment).not.toHaveBeenCalled();
    await userEvent.type(within(dialog).getByLabelText('Reason'), 'replaced');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Yes, undeploy' }),
    );
    await waitFor(() =>
      expect(mocks.deleteDeployment).toHaveBeenCalledWith(
        DEPLOYMENT_ID,
        'replaced',
      ),
    );
    expect(
      await screen.findByRole('button', { name: 'Deploy a model' }),
    ).toBeInTheDocument();
  });
});

describe('DeploymentPage charts', () => {
  it("charts each version's traffic and latency, read from the metrics route", async () => {
    const { api, mocks } = fakeServingApi();
    await renderServingAt(PATH, api);

    const rate = await screen.findByRole('figure', {
      name: 'Requests per second',
    });
    expect(mocks.getMetrics).toHaveBeenCalledWith(DEPLOYMENT_ID, '1h');
    expect(within(rate).getByText('v3 2xx')).toBeInTheDocument();
    expect(
      within(rate).getByText('refused before a version 4xx'),
    ).toBeInTheDocument();
    const p50 = screen.getByRole('figure', { name: 'Latency p50' });
    expect(within(p50).getByText('12 ms')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Time range' }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Last 6 hours' }),
    );
    await waitFor(() =>
      expect(mocks.getMetrics).toHaveBeenCalledWith(DEPLOYMENT_ID, '6h'),
    );
  });

  it('says why there are no charts when Prometheus does not answer', async () => {
    const { api } = fakeServingApi({
      getMetrics: jest.fn(async () => {
        throw new Error('Prometheus is unreachable: fetch failed');
      }),
    });
    await renderServingAt(PATH, api);
    expect(
      await screen.findByText(
        'Charts are not available: Prometheus is unreachable: fetch failed',
      ),
    ).toBeInTheDocument();
  });

  it('says that no requests came yet rather than drawing empty axes', async () => {
    const { api } = fakeServingApi({
      getMetrics: jest.fn(async () => ({
        ...someMetrics(),
        requestRate: [],
        latencyP50Ms: [],
        latencyP99Ms: [],
        errorRatio: [],
      })),
    });
    await renderServingAt(PATH, api);
    expect(
      (await screen.findAllByText(/No requests in this time range yet/)).length,
    ).toBe(4);
  });
});
