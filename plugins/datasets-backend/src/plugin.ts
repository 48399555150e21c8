import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { Config } from '@backstage/config';
import { datasetsPermissions } from '@internal/backstage-plugin-datasets-common';
import { EndpointGuard } from '@internal/mlops-node';
import { DatabaseDatasetStore } from './database';
import { DEFAULT_IMAGE_LIMITS, ImageLimits } from './formats/image';
import { DEFAULT_ZIP_LIMITS, ZipLimits } from './formats/zip';
import {
  createDownloadRouter,
  DOWNLOADS_PATH,
  DownloadSigner,
} from './downloads';
import { createObjectStore, LocalDirectoryObjectStore } from './objectStore';
import { datasetOwnerRule, datasetResourceRef } from './permissionRules';
import { ConnectionStore } from './connections/ConnectionStore';
import { SecretBox } from './connections/SecretBox';
import { DatasetUploadMetrics } from './metrics';
import { createRouter } from './router';
import { registerSamples } from './samples';
import { DatasetFiles } from './versions/DatasetFiles';
import { createUploadSessions } from './uploads';

const DEFAULT_MAX_UPLOAD_BYTES = 1024 ** 3;
const DEFAULT_SAMPLES_OWNER = 'group:default/data-science';

function zipLimits(config: Config): ZipLimits {
  return {
    ...DEFAULT_ZIP_LIMITS,
    maxUncompressedBytes:
      config.getOptionalNumber('mlops.datasets.zip.maxUncompressedBytes') ??
      DEFAULT_ZIP_LIMITS.maxUncompressedBytes,
    maxCompressionRatio:
      config.getOptionalNumber('mlops.datasets.zip.maxCompressionRatio') ??
      DEFAULT_ZIP_LIMITS.maxCompressionRatio,
  };
}

function imageLimits(config: Config): ImageLimits {
  const images = config.getOptionalConfig('mlops.datasets.images');
  return {
    maxPixels:
      images?.getOptionalNumber('maxPixels') ?? DEFAULT_IMAGE_LIMITS.maxPixels,
    maxWidth:
      images?.getOptionalNumber('maxWidth') ?? DEFAULT_IMAGE_LIMITS.maxWidth,
    maxHeight:
      images?.getOptionalNumber('maxHeight') ?? DEFAULT_IMAGE_LIMITS.maxHeight,
  };
}

/**
 * The datasets backend plugin: datasets, their versions and the object store holding their files.
 *
 * @public
 */
export const datasetsPlugin = createBackendPlugin({
  pluginId: 'datasets',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        metrics: metricsServiceRef,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        userInfo: coreServices.userInfo,
      },
      async init({
        config,
        database,
        discovery,
        httpAuth,
        httpRouter,
        logger,
        metrics,
        permissions,
        permissionsRegistry,
        scheduler,
        userInfo,
      }) {
        const uploadMetrics = new DatasetUploadMetrics(metrics);
        const datasets = await DatabaseDatasetStore.create(database);
        permissionsRegistry.addPermissions(datasetsPermissions);
        permissionsRegistry.addResourceType({
          resourceRef: datasetResourceRef,
          rules: [datasetOwnerRule],
          getResources: ids => datasets.getByIds(ids),
        });
        const objectStore = createObjectStore(config);
        if (objectStore instanceof LocalDirectoryObjectStore) {
          const signer = new DownloadSigner(
            () => discovery.getBaseUrl('datasets'),
            config.getOptionalString('mlops.datasets.downloads.signingKey'),
          );
          objectStore.signDownloadsWith(signer);
          httpRouter.addAuthPolicy({
            path: DOWNLOADS_PATH,
            allow: 'unauthenticated',
          });
          httpRouter.use(createDownloadRouter({ signer, objectStore }));
        }
        const maxUploadBytes =
          config.getOptionalNumber('mlops.datasets.maxUploadBytes') ??
          DEFAULT_MAX_UPLOAD_BYTES;
        const files =
          objectStore &&
          new DatasetFiles({
            datasets,
            objectStore,
            maxUploadBytes,
            zipLimits: zipLimits(config),
            imageLimits: imageLimits(config),
            tempDir: config.getOptionalString('mlops.datasets.uploadTempDir'),
            metrics: uploadMetrics,
          });
        const uploadSessions =
          objectStore &&
          files &&
          (await createUploadSessions({
            config,
            knex: datasets.knex,
            objectStore,
            files,
            maxUploadBytes,
            scheduler,
            logger,
          }));
        const connectionsConfig = config.getOptionalConfig(
          'mlops.datasets.connections',
        );
        const encryptionKey =
          connectionsConfig?.getOptionalString('encryptionKey');
        const endpointGuard = EndpointGuard.fromConfig(config, {
          allowAny: connectionsConfig?.getOptionalBoolean(
            'allowPrivateEndpoints',
          ),
        });
        const connections = encryptionKey
          ? new ConnectionStore(
              datasets.knex,
              new SecretBox(encryptionKey),
              endpointGuard,
            )
          : undefined;
        if (
          files &&
          config.getOptionalBoolean('mlops.datasets.samples.enabled') !== false
        ) {
          await registerSamples({
            owner:
              config.getOptionalString('mlops.datasets.samples.owner') ??
              DEFAULT_SAMPLES_OWNER,
            datasets,
            files,
            logger,
          }).catch(error =>
            logger.error(`Could not register the sample datasets: ${error}`),
          );
        }
        httpRouter.use(
          await createRouter({
            httpAuth,
            userInfo,
            permissions,
            permissionsRegistry,
            datasets,
            objectStore,
            files,
            uploadSessions,
            uploadMetrics,
            connections,
            endpointGuard,
            logger,
          }),
        );
      },
    });
  },
});
