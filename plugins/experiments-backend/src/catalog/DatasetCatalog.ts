import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  InputError,
  NotFoundError,
  ResponseError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  Dataset,
  DatasetsClient,
} from '@internal/backstage-plugin-datasets-common';
import {
  JobDataset,
  TrainingDataset,
} from '@internal/backstage-plugin-experiments-common';
import { createHash } from 'node:crypto';

/** One file of a pinned version as the runtime reads it: from a local path or a presigned URL. */
export type RuntimeDatasetFile = {
  name: string;
  size: number;
  sha256: string;
  path?: string;
  url?: string;
};

/** The job config's `dataset` for the runtime (see runtime/src/mlops_runtime/job_config.py). */
export type RuntimeDataset = {
  id: string;
  name: string;
  version: string;
  format: string;
  manifestSha256: string;
  files: RuntimeDatasetFile[];
};

/** The answer of the datasets plugin's `GET /datasets/:id/versions/:version/files`. */
type VersionFileLocations = {
  files: Array<{
    path: string;
    size: number;
    sha256: string;
    localPath?: string;
    url?: string;
  }>;
};

/**
 * SHA-256 over the JSON of [name, size, sha256] of each file, sorted by name (UTF-16 code
 * units); runtime/src/mlops_runtime/datasets.py computes the same.
 */
export function manifestSha256(
  files: Array<{ path: string; size: number; sha256: string }>,
): string {
  const entries = files
    .map(f => [f.path, f.size, f.sha256] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

class DatasetsApi extends DatasetsClient {
  versionFiles(id: string, version: string): Promise<VersionFileLocations> {
    return this.request(
      `/datasets/${encodeURIComponent(id)}/versions/${encodeURIComponent(
        version,
      )}/files`,
    );
  }
}

function isNotFound(error: unknown) {
  return error instanceof ResponseError && error.statusCode === 404;
}

/**
 * Datasets a training job can use: those of the datasets plugin, read through its HTTP API on
 * behalf of the caller, so that the caller's permissions on datasets apply.
 */
export class DatasetCatalog {
  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {}

  private client(credentials: BackstageCredentials): DatasetsApi {
    const { auth, discovery } = this.deps;
    return new DatasetsApi({
      discoveryApi: discovery,
      fetchApi: {
        fetch: async (input, init) => {
          const { token } = await auth.getPluginRequestToken({
            onBehalfOf: credentials,
            targetPluginId: 'datasets',
          });
          const headers = new Headers(init?.headers);
          headers.set('Authorization', `Bearer ${token}`);
          try {
            return await fetch(input, { ...init, headers });
          } catch (error) {
            throw new ServiceUnavailableError(
              `The datasets plugin cannot be reached: ${
                (error as Error).cause ?? error
              }`,
            );
          }
        },
      },
    });
  }

  /** Datasets the caller may read that have a version, by name. */
  async list(credentials: BackstageCredentials): Promise<TrainingDataset[]> {
    const { items } = await this.client(credentials).listDatasets();
    return items
      .filter(d => d.latestVersion)
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
      .map(d => ({
        id: d.id,
        name: d.name,
        title: d.name,
        owner: d.owner,
        description: d.description,
        format: d.format ?? 'unknown',
        version: d.latestVersion!,
      }));
  }

  /**
   * The immutable version a new job trains on: `version`, by default the latest, of the dataset
   * with id (or, where the caller sees exactly one by that name, name) `datasetId`.
   * NotFoundError naming what the caller does not see.
   */
  async pin(
    credentials: BackstageCredentials,
    datasetId: string,
    version?: string,
  ): Promise<JobDataset> {
    const client = this.client(credentials);
    const dataset = findDataset((await client.listDatasets()).items, datasetId);
    const pinned = version ?? dataset.latestVersion;
    if (!pinned) {
      throw new NotFoundError(
        `Dataset "${dataset.name}" has no version yet: upload its files first`,
      );
    }
    const found = await client.getVersion(dataset.id, pinned).catch(error => {
      if (isNotFound(error)) {
        throw new NotFoundError(
          `Dataset "${dataset.name}" has no version "${pinned}"`,
        );
      }
      throw error;
    });
    return {
      id: dataset.id,
      name: dataset.name,
      version: found.version,
      format: dataset.format ?? 'unknown',
      manifestSha256: manifestSha256(found.files),
      fileCount: found.files.length,
      totalBytes: found.files.reduce((sum, f) => sum + f.size, 0),
    };
  }

  /**
   * The files of a pinned version and where the runtime reads each, asked for as this plugin (the
   * worker acts for a job whose submitter is not signed in any more). NotFoundError when the
   * version is gone; InputError when its files are no longer the ones the job pinned.
   */
  async locate(dataset: JobDataset): Promise<RuntimeDataset> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const located = await this.client(credentials)
      .versionFiles(dataset.id, dataset.version)
      .catch(error => {
        if (isNotFound(error)) {
          throw new NotFoundError(
            `dataset not found: ${dataset.name ?? dataset.id} version ${
              dataset.version
            } no longer exists`,
          );
        }
        throw error;
      });
    const actual = manifestSha256(located.files);
    if (dataset.manifestSha256 && actual !== dataset.manifestSha256) {
      throw new InputError(
        `dataset ${dataset.name ?? dataset.id} version ${
          dataset.version
        } does not hold the files the job pinned (manifest ${
          dataset.manifestSha256
        }, now ${actual})`,
      );
    }
    return {
      id: dataset.id,
      name: dataset.name ?? '',
      version: dataset.version,
      format: dataset.format,
      manifestSha256: actual,
      files: located.files.map(f => ({
        name: f.path,
        size: f.size,
        sha256: f.sha256,
        ...(f.url !== undefined ? { url: f.url } : { path: f.localPath }),
      })),
    };
  }
}

function findDataset(datasets: Dataset[], idOrName: string): Dataset {
  const byId = datasets.find(d => d.id === idOrName);
  if (byId) return byId;
  const byName = datasets.filter(d => d.name === idOrName);
  if (byName.length > 1) {
    throw new InputError(
      `datasetId: more than one dataset is named "${idOrName}" (${byName
        .map(d => `${d.id} of ${d.owner}`)
        .join(', ')}); give its id`,
    );
  }
  if (byName.length === 0) {
    throw new NotFoundError(`No dataset "${idOrName}"`);
  }
  return byName[0];
}
