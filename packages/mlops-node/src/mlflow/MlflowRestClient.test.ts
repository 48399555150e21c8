import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { MlflowRestClient } from './MlflowRestClient';

/** A server that drops the connection of the first `drops` requests, then answers JSON. */
async function startDroppingServer(drops: number) {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (seen.length <= drops) {
      req.socket.destroy();
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ experiment: { experiment_id: '7' } }));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('MlflowRestClient', () => {
  it('sends once more when MLflow closes the connection', async () => {
    const server = await startDroppingServer(1);
    try {
      const answer = await new MlflowRestClient(server.url).call(
        'GET',
        '/api/2.0/mlflow/experiments/get-by-name',
        { experiment_name: 'x' },
      );
      expect(answer).toEqual({
        ok: true,
        status: 200,
        body: { experiment: { experiment_id: '7' } },
      });
      expect(server.seen).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('says MLflow is unreachable when the connection closes again', async () => {
    const server = await startDroppingServer(2);
    try {
      await expect(
        new MlflowRestClient(server.url).call(
          'POST',
          '/api/2.0/mlflow/runs/create',
        ),
      ).rejects.toThrow(
        `MLflow at ${server.url} is unreachable: UND_ERR_SOCKET`,
      );
      expect(server.seen).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});
