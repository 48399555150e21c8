import { mockServices } from '@backstage/backend-test-utils';
import { requireTestService } from '@internal/mlops-node';
import { driftFound, storedMonitor } from '../testFixtures';
import { DriftAlerts } from './DriftAlerts';
import { signedHeaders } from './signedWebhook';

jest.setTimeout(60_000);

// The test stack's n8n, with the shipped workflow deploy/n8n/drift-detected.json imported and
// published, and the secret it checks deliveries against.
const n8nUrl = requireTestService('MLOPS_TEST_N8N_URL');
const secret = requireTestService('MLOPS_TEST_N8N_WEBHOOK_SECRET');
const webhookUrl = `${n8nUrl}/webhook/mlops-drift-detected`;

const monitor = storedMonitor;
const drift = driftFound;

function alertsWithSecret(webhookSecret: string) {
  const logger = mockServices.logger.mock();
  const alerts = new DriftAlerts({
    webhook: { url: webhookUrl, secret: webhookSecret },
    appBaseUrl: 'http://portal.example',
    logger,
    retryDelaysMs: [],
  });
  return { alerts, logger };
}

describe('drift alerts to the real n8n', () => {
  it('are accepted by the shipped workflow when signed with the shared secret', async () => {
    const { alerts, logger } = alertsWithSecret(secret);
    await alerts.checkFinished(monitor, drift);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('are refused (401, not retried) when signed with another secret', async () => {
    const { alerts, logger } = alertsWithSecret('not-the-shared-secret');
    await alerts.checkFinished(monitor, drift);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('answered 401'),
    );
  });

  it('echo the event to a genuine delivery and refuse a forged, replayed or tampered one', async () => {
    const body = JSON.stringify({
      event: 'drift.detected',
      check: { id: 'c2' },
    });
    const post = (headers: Record<string, string>, sent = body) =>
      fetch(webhookUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: sent,
      });

    const genuine = await post(signedHeaders(secret, body));
    expect(genuine.status).toBe(200);
    expect(await genuine.json()).toMatchObject({
      ok: true,
      event: { event: 'drift.detected', check: { id: 'c2' } },
    });

    const forged = await post(signedHeaders('guessed', body));
    expect(forged.status).toBe(401);
    const replayed = await post(
      signedHeaders(secret, body, new Date(Date.now() - 10 * 60_000)),
    );
    expect(replayed.status).toBe(401);
    const tampered = await post(
      signedHeaders(secret, body),
      body.replace('c2', 'c3'),
    );
    expect(tampered.status).toBe(401);
    expect((await post({})).status).toBe(401);
  });
});
