import {
  EndpointGuard,
  INTERNAL_SECRET_BODY,
  RecordingServer,
  requireTestService,
  startRecordingServer,
  startRedirectingServer,
} from '@internal/mlops-node';
import { RayDashboardClient } from './RayDashboardClient';

const rayUrl = requireTestService('MLOPS_TEST_RAY_URL');
const rayToken = requireTestService('MLOPS_TEST_RAY_TOKEN');

const servers: RecordingServer[] = [];
async function track(server: Promise<RecordingServer>) {
  const started = await server;
  servers.push(started);
  return started;
}
afterAll(() => Promise.all(servers.map(s => s.close())));

/** The client's error, which must never carry what the server answered. */
async function failure(client: RayDashboardClient): Promise<string> {
  const error = await client.getVersion().then(
    () => {
      throw new Error('expected the request to fail');
    },
    e => e as Error,
  );
  expect(error.name).toBe('RayUnavailableError');
  expect(error.message).not.toContain('internal-service-secret');
  expect(error.message).not.toContain('root:x');
  return error.message;
}

describe('RayDashboardClient', () => {
  it('talks to a real Ray head', async () => {
    const client = new RayDashboardClient({
      dashboardUrl: rayUrl,
      token: rayToken,
    });
    expect(await client.getVersion()).toMatch(/^2\.\d+\.\d+/);
  });

  it('does not follow redirects: the target is never contacted', async () => {
    const target = await track(startRecordingServer());
    const redirecting = await track(startRedirectingServer(target.url));
    const message = await failure(
      new RayDashboardClient({ dashboardUrl: redirecting.url, token: 't' }),
    );
    expect(message).toBe(
      `Ray at ${redirecting.url} answered HTTP 302 (a redirect) for /api/version; the portal does not follow redirects: give the address Ray answers on`,
    );
    expect(redirecting.requests).toHaveLength(1);
    expect(target.requests).toEqual([]);
  });

  it('names the status of an error answer, never its body', async () => {
    const failing = await track(
      startRecordingServer((_, res) => {
        res.writeHead(502);
        res.end(INTERNAL_SECRET_BODY);
      }),
    );
    expect(
      await failure(new RayDashboardClient({ dashboardUrl: failing.url })),
    ).toBe(`Ray at ${failing.url} answered HTTP 502 for /api/version`);
  });

  it("says when an answer is not Ray's JSON, without quoting it", async () => {
    const notRay = await track(startRecordingServer());
    expect(
      await failure(new RayDashboardClient({ dashboardUrl: notRay.url })),
    ).toBe(`Ray at ${notRay.url} did not answer /api/version with Ray's JSON`);
  });

  it('with an endpoint guard, never contacts a refused address (in any spelling)', async () => {
    const internal = await track(startRecordingServer());
    const guard = new EndpointGuard();
    for (const host of [
      '127.0.0.1',
      '2130706433',
      '0x7f000001',
      '0177.0.0.1',
      '[::ffff:127.0.0.1]',
      'localhost',
    ]) {
      const dashboardUrl = `http://${host}:${internal.port}`;
      const message = await failure(
        new RayDashboardClient({
          dashboardUrl,
          token: 'user-token',
          endpointGuard: guard,
        }),
      );
      expect(message).toMatch(
        new RegExp(
          `^Ray at ${dashboardUrl.replace(
            /[.[\]]/g,
            '\\$&',
          )} cannot be used: Refused: the Ray dashboard host '[^']+' resolves to the loopback address`,
        ),
      );
    }
    expect(internal.requests).toEqual([]);
  });

  it('with an endpoint guard that allows the address, talks to Ray', async () => {
    const client = new RayDashboardClient({
      dashboardUrl: rayUrl,
      token: rayToken,
      endpointGuard: new EndpointGuard({ allowed: ['127.0.0.1/32'] }),
    });
    expect(await client.getVersion()).toMatch(/^2\.\d+\.\d+/);
  });
});
