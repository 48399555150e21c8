import {
  coreServices,
  createServiceFactory,
  resolvePackagePath,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { experimentsPlugin } from '../plugin';

/** The repository's runtime/ folder. */
export const repoRuntimePath = resolvePackagePath(
  '@internal/backstage-plugin-experiments-backend',
  '../../runtime',
);

/**
 * Starts the experiments plugin in a test backend over `knex`, with the signed-in mock user
 * owning through `ownershipEntityRefs`.
 */
export async function startExperimentsBackend(options: {
  knex: Knex;
  trackingUrl: string;
  experiments?: JsonObject;
  rayClusters?: JsonObject[];
  permissions?: ServiceFactory;
  ownershipEntityRefs?: string[];
}) {
  const { knex } = options;
  const backend = await startTestBackend({
    features: [
      experimentsPlugin,
      options.permissions ?? mockServices.permissions.factory(),
      mockServices.database.factory({ knex }),
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
            mlflow: { trackingUrl: options.trackingUrl },
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
