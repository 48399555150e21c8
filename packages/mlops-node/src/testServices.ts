import { AddressInfo, createServer } from 'node:net';

/**
 * Reads the address of a real service that the test command (`make test`) started for the test
 * suite. Tests talk to real Ray and MLflow; without them they fail with this message instead of
 * silently passing.
 *
 * @public
 */
export function requireTestService(envVar: string): string {
  const value = process.env[envVar];
  if (!value) {
    throw new Error(
      `${envVar} is not set: run the tests with 'make test', which starts Ray, MLflow and Prometheus for them`,
    );
  }
  return value;
}

/**
 * An address where nothing listens, so that a request to it is refused: a port the system just
 * gave out and took back. (Node's fetch refuses well-known ports such as 9 before connecting.)
 *
 * @public
 */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/**
 * The admin account of the test MLflow server (`make test` runs it with its basic-auth app):
 * MLOPS_TEST_MLFLOW_USERNAME and MLOPS_TEST_MLFLOW_PASSWORD.
 *
 * @public
 */
export function requireTestMlflowCredentials(): {
  username: string;
  password: string;
} {
  return {
    username: requireTestService('MLOPS_TEST_MLFLOW_USERNAME'),
    password: requireTestService('MLOPS_TEST_MLFLOW_PASSWORD'),
  };
}
