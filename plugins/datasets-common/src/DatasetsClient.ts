import {
  ItemList,
  MlopsApiClient,
  MlopsClientOptions,
} from '@internal/backstage-plugin-mlops-common';
import {
  CreateConnectionRequest,
  CreateDatasetRequest,
  DatasetConnection,
  ImportRequest,
  Dataset,
  DatasetVersion,
  DatasetVersionSummary,
  FilePreview,
  FileSchema,
  FileStatistics,
  RegisterPrefixRequest,
} from './types';

/**
 * Typed client of the datasets backend. Uploads with progress go through
 * {@link DatasetsClient.uploadUrl} (the browser's fetch cannot report upload progress).
 *
 * @public
 */
export class DatasetsClient extends MlopsApiClient {
  private readonly discoveryApi: MlopsClientOptions['discoveryApi'];

  constructor(options: MlopsClientOptions) {
    super('datasets', options);
    this.discoveryApi = options.discoveryApi;
  }

  listDatasets(): Promise<ItemList<Dataset>> {
    return this.request('/datasets');
  }

  getDataset(id: string): Promise<Dataset> {
    return this.request(`/datasets/${encodeURIComponent(id)}`);
  }

  createDataset(request: CreateDatasetRequest): Promise<Dataset> {
    return this.request('/datasets', {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }

  listVersions(id: string): Promise<ItemList<DatasetVersionSummary>> {
    return this.request(`/datasets/${encodeURIComponent(id)}/versions`);
  }

  getVersion(id: string, version: string): Promise<DatasetVersion> {
    return this.request(
      `/datasets/${encodeURIComponent(id)}/versions/${encodeURIComponent(
        version,
      )}`,
    );
  }

  registerPrefix(
    id: string,
    request: RegisterPrefixRequest,
  ): Promise<DatasetVersion> {
    return this.request(`/datasets/${encodeURIComponent(id)}/versions`, {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }

  importFromConnection(
    id: string,
    request: ImportRequest,
  ): Promise<DatasetVersion> {
    return this.request(`/datasets/${encodeURIComponent(id)}/imports`, {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }

  listConnections(): Promise<ItemList<DatasetConnection>> {
    return this.request('/connections');
  }

  createConnection(
    request: CreateConnectionRequest,
  ): Promise<DatasetConnection> {
    return this.request('/connections', {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }

  async deleteConnection(id: string): Promise<void> {
    await this.request(`/connections/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }

  private fileRoute(id: string, version: string, path: string, what: string) {
    return `/datasets/${encodeURIComponent(id)}/versions/${encodeURIComponent(
      version,
    )}/${what}?path=${encodeURIComponent(path)}`;
  }

  getSchema(id: string, version: string, path: string): Promise<FileSchema> {
    return this.request(this.fileRoute(id, version, path, 'schema'));
  }

  getPreview(id: string, version: string, path: string): Promise<FilePreview> {
    return this.request(this.fileRoute(id, version, path, 'preview'));
  }

  getStatistics(
    id: string,
    version: string,
    path: string,
  ): Promise<FileStatistics> {
    return this.request(this.fileRoute(id, version, path, 'statistics'));
  }

  /** Where to POST a file's raw bytes to add it (as `path`) in a new version of the dataset. */
  async uploadUrl(id: string, path: string): Promise<string> {
    const baseUrl = await this.discoveryApi.getBaseUrl('datasets');
    return `${baseUrl}/datasets/${encodeURIComponent(
      id,
    )}/files?path=${encodeURIComponent(path)}`;
  }
}
