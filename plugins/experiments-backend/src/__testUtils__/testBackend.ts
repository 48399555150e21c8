import {
  coreServices,
  createServiceFactory,
  resolvePackagePath,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
// The tests run the real datasets plugin beside this one (a dev dependency); the plugin does not.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import datasetsPlugin from '@internal/backstage-plugin-datasets-backend';
import {
  MlflowCredentials,
  requireTestMlflowCredentials,
  TestMetrics,
} from '@internal/mlops-node';
import knexFactory, { Knex } from 'knex';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { experimentsPlugin } from '../plugin';

/** The repository's runtime/ folder. */
export const repoRuntimePath = resolvePackagePath(
  '@internal/backstage-plugin-experiments-backend',
  '../../runtime',
);

/**
 * The experiments plugin over `knex`, and the real datasets plugin beside it, which the
 * experiments plugin calls over HTTP: over `datasetsKnex` (default a new in-memory SQLite), with
 * a local object store in `datasetsRoot` (default a new temporary folder, removed when the
 * backend stops) holding the MNIST and tabular samples owned by `samplesOwner`. The signed-in
 * mock user owns through `ownershipEntityRefs`.
 */
export async function startExperimentsBackend(options: {
  knex: Knex;
  trackingUrl: string;
  /** The backend's MLflow user; default the test MLflow's admin, null for none. */
  mlflowCredentials?: MlflowCredentials | null;
  experiments?: JsonObject;
  rayClusters?: JsonObject[];
  permissions?: ServiceFactory;
  ownershipEntityRefs?: string[];
  datasets?: JsonObject;
  samplesOwner?: string;
  /** The datasets plugin's database and object store, for a test that restarts the backend. */
  datasetsKnex?: Knex;
  datasetsRoot?: string;
  /** Where the plugins' metrics go; default the backend's (no SDK in tests: nowhere). */
  metrics?: TestMetrics;
}) {
  const { knex } = options;
  const datasetsRoot =
    options.datasetsRoot ??
    (await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-test-datasets-')));
  const backend = await startTestBackend({
    features: [
      experimentsPlugin,
      datasetsPlugin,
      options.permissions ?? mockServices.permissions.factory(),
      ...(options.metrics ? [options.metrics.factory()] : []),
      createServiceFactory({
        service: coreServices.database,
        deps: {
          plugin: coreServices.pluginMetadata,
          lifecycle: coreServices.lifecycle,
        },
        factory: ({ plugin, lifecycle }) => {
          if (plugin.getId() !== 'datasets') {
            return mockServices.database({ knex });
          }
          if (!options.datasetsRoot) {
            lifecycle.addShutdownHook(() =>
              fs.rm(datasetsRoot, { recursive: true, force: true }),
            );
          }
          if (options.datasetsKnex) {
            return mockServices.database({ knex: options.datasetsKnex });
          }
          const own = knexFactory({
            client: 'better-sqlite3',
            connection: ':memory:',
            useNullAsDefault: true,
          });
          lifecycle.addShutdownHook(() => own.destroy());
          return mockServices.database({ knex: own });
        },
      }),
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () =>
          mockServices.userInfo({
            ownershipEntityRefs: options.ownershipEntityRefs ?? [
              'user:default/mock',
              'group:default/team-a',
            ],
          }),
      }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            mlflow: {
              trackingUrl: options.trackingUrl,
              ...(options.mlflowCredentials === undefined
                ? requireTestMlflowCredentials()
                : options.mlflowCredentials),
            },
            rayClusters: {
              clusters: options.rayClusters ?? [
                {
                  name: 'local',
                  owner: 'group:default/team-a',
                  driver: 'local',
                  dashboardUrl: 'http://127.0.0.1:1',
                },
              ],
            },
            experiments: {
              runtimePath: repoRuntimePath,
              ...options.experiments,
            },
            datasets: {
              objectStore: { type: 'local', root: datasetsRoot },
              samples: {
                owner: options.samplesOwner ?? 'group:default/team-a',
              },
              ...options.datasets,
            },
          },
        },
      }),
    ],
  });
  const store = await DatabaseJobStore.create({
    database: mockServices.database({ knex }),
  });
  return { backend, server: backend.server, store };
}

/** Polls `fn` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
}
