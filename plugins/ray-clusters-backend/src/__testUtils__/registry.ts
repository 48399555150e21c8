import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { EndpointGuard } from '@internal/mlops-node';
import { resolve } from 'node:path';
import { ClusterRegistry } from '../ClusterRegistry';
import { TeamQuota } from '../config';
import { ClusterStore } from '../database/ClusterStore';
import { ClusterDriver } from '../drivers/types';
import { LocalDriver } from '../drivers/local/LocalDriver';

/** The `ray` of the repository's Python environment (MLOPS_VENV overrides). */
export const rayExecutable = resolve(
  process.env.MLOPS_VENV ?? resolve(__dirname, '../../../../.venv'),
  'bin',
  'ray',
);

export const alice = {
  userEntityRef: 'user:default/alice',
  ownershipEntityRefs: ['user:default/alice', 'group:default/team-a'],
};

const unlimited: TeamQuota = {
  maxClusters: Infinity,
  maxCpus: Infinity,
  maxGpus: Infinity,
};

/** The guard of a portal whose administrator allows loopback, where the test clusters run. */
export const loopbackAllowed = () =>
  new EndpointGuard({ allowed: ['127.0.0.0/8'] });

/** A registry over a fresh SQLite database, with the given drivers. */
export async function createTestRegistry(
  databases: TestDatabases,
  drivers: (registry: ClusterRegistry) => Record<string, ClusterDriver>,
  options: { endpointGuard?: EndpointGuard } = {},
) {
  const knex = await databases.init('SQLITE_3');
  const store = await ClusterStore.create(mockServices.database({ knex }));
  const registry = new ClusterRegistry({
    store,
    quotaOf: () => unlimited,
    reservedNames: () => [],
    logger: mockServices.logger.mock(),
    endpointGuard: options.endpointGuard ?? new EndpointGuard(),
  });
  registry.setDrivers(drivers(registry));
  await registry.init();
  return { registry, store };
}

export function testLocalDriver(
  registry: ClusterRegistry,
  overrides: Partial<ConstructorParameters<typeof LocalDriver>[0]> = {},
) {
  return new LocalDriver({
    rayExecutable,
    tempRoot: '/tmp',
    objectStoreBytes: 100_000_000,
    startTimeoutMs: 150_000,
    maxRestarts: 2,
    restartBackoffMs: 500,
    idleCheckMs: 1_000,
    report: registry.report,
    logger: mockServices.logger.mock(),
    ...overrides,
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}
