import { mockServices } from '@backstage/backend-test-utils';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { driftFound, storedMonitor } from '../testFixtures';
import { DriftAlerts } from './DriftAlerts';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignedDelivery,
} from './signedWebhook';

const monitor = storedMonitor;
const drift = driftFound;

/** A webhook receiver that answers each delivery with the next status of `statuses`. */
let receiver: Server;
let url: string;
let statuses: number[];
let deliveries: { headers: IncomingHttpHeaders; body: string }[];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise(resolve => receiver.close(resolve)));
beforeEach(() => {
  statuses = [];
  deliveries = [];
});

function alerts(secret?: string) {
  const sent: NotificationSendOptions[] = [];
  const logger = mockServices.logger.mock();
  const driftAlerts = new DriftAlerts({
    notifications: { send: async options => void sent.push(options) },
    webhook: { url, secret },
    appBaseUrl: 'https://portal.example.com',
    logger,
    retryDelaysMs: [10, 10],
  });
  return { driftAlerts, sent, logger };
}

describe('DriftAlerts', () => {
  it("notifies the monitor's team and delivers a signed event when a check finds drift", async () => {
    const { driftAlerts, sent } = alerts('s3cret');
    await driftAlerts.checkFinished(monitor, drift);

    expect(sent).toEqual([
      {
        recipients: { type: 'entity', entityRef: 'group:default/team-a' },
        payload: expect.objectContaining({
          title: 'Drift detected: digits',
          link: 'https://portal.example.com/drift/monitors/m1',
          severity: 'high',
        }),
      },
    ]);
    expect(sent[0].payload.description).toContain('estimated accuracy 71 %');
    const [delivery] = deliveries;
    expect(JSON.parse(delivery.body)).toEqual({
      event: 'drift.detected',
      monitor: {
        id: 'm1',
        name: 'digits-drift',
        owner: 'group:default/team-a',
        deploymentId: 'd1',
        deploymentName: 'digits',
        modelName: 'digits-model',
      },
      check: expect.objectContaining({ id: 'c1', verdict: 'DRIFT' }),
      link: 'https://portal.example.com/drift/monitors/m1',
    });
    expect(
      verifySignedDelivery({
        secret: 's3cret',
        body: delivery.body,
        timestamp: delivery.headers[TIMESTAMP_HEADER] as string,
        signature: delivery.headers[SIGNATURE_HEADER] as string,
      }),
    ).toBe(true);
  });

  it('says nothing about a check without drift or one that failed', async () => {
    const { driftAlerts, sent } = alerts();
    await driftAlerts.checkFinished(monitor, { ...drift, verdict: 'NO_DRIFT' });
    await driftAlerts.checkFinished(monitor, {
      ...drift,
      status: 'FAILED',
      verdict: undefined,
    });
    expect(sent).toEqual([]);
    expect(deliveries).toEqual([]);
  });

  it('retries a delivery the webhook failed (5xx), not one it refused (4xx)', async () => {
    const { driftAlerts, logger } = alerts();
    statuses = [502, 503];
    await driftAlerts.checkFinished(monitor, drift);
    expect(deliveries).toHaveLength(3);
    expect(deliveries[0].headers[SIGNATURE_HEADER]).toBeUndefined();

    deliveries = [];
    statuses = [401];
    await driftAlerts.checkFinished(monitor, drift);
    expect(deliveries).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledWith(
      'The drift webhook answered 401 to the alert of check c1; not retried',
    );
  });
});
