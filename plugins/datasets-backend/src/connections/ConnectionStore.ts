import { ConflictError, NotFoundError } from '@backstage/errors';
import { DatasetConnection } from '@internal/backstage-plugin-datasets-common';
import { EndpointGuard } from '@internal/mlops-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { S3ObjectStore } from '../objectStore';
import { SecretBox } from './SecretBox';

type ConnectionRow = {
  id: string;
  name: string;
  owner: string;
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  force_path_style: boolean | number;
  credentials_encrypted: string;
  created_by: string;
  created_at: string | Date;
};

export type NewConnection = Omit<DatasetConnection, 'id' | 'createdAt'> & {
  accessKeyId: string;
  secretAccessKey: string;
};

function toConnection(row: ConnectionRow): DatasetConnection {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    endpoint: row.endpoint,
    region: row.region,
    bucket: row.bucket,
    prefix: row.prefix,
    forcePathStyle: Boolean(row.force_path_style),
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The `dataset_connections` table; credentials go in and out only through the SecretBox. */
export class ConnectionStore {
  constructor(
    private readonly knex: Knex,
    private readonly secrets: SecretBox,
    private readonly endpointGuard: EndpointGuard,
  ) {}

  async list(): Promise<DatasetConnection[]> {
    const rows = await this.knex<ConnectionRow>('dataset_connections').orderBy([
      'owner',
      'name',
    ]);
    return rows.map(toConnection);
  }

  private async row(id: string): Promise<ConnectionRow> {
    const row = await this.knex<ConnectionRow>('dataset_connections')
      .where({ id })
      .first();
    if (!row) throw new NotFoundError(`No connection with id '${id}'`);
    return row;
  }

  async get(id: string): Promise<DatasetConnection> {
    return toConnection(await this.row(id));
  }

  async create(input: NewConnection): Promise<DatasetConnection> {
    const existing = await this.knex('dataset_connections')
      .where({ owner: input.owner, name: input.name })
      .first();
    if (existing) {
      throw new ConflictError(
        `${input.owner} already has a connection named '${input.name}'`,
      );
    }
    const row: ConnectionRow = {
      id: randomUUID(),
      name: input.name,
      owner: input.owner,
      endpoint: input.endpoint,
      region: input.region,
      bucket: input.bucket,
      prefix: input.prefix,
      force_path_style: input.forcePathStyle,
      credentials_encrypted: this.secrets.encrypt(
        JSON.stringify({
          accessKeyId: input.accessKeyId,
          secretAccessKey: input.secretAccessKey,
        }),
      ),
      created_by: input.createdBy,
      created_at: new Date().toISOString(),
    };
    await this.knex('dataset_connections').insert(row);
    return toConnection(row);
  }

  async delete(id: string): Promise<void> {
    await this.knex('dataset_connections').where({ id }).delete();
  }

  /** An object store on the connection's bucket, with its decrypted credentials. */
  storeFor(input: Omit<NewConnection, 'createdBy' | 'name' | 'owner'>) {
    return new S3ObjectStore({
      endpoint: input.endpoint,
      region: input.region,
      bucket: input.bucket,
      prefix: input.prefix || undefined,
      forcePathStyle: input.forcePathStyle,
      accessKeyId: input.accessKeyId,
      secretAccessKey: input.secretAccessKey,
      lookup: this.endpointGuard.lookup('S3 endpoint'),
    });
  }

  async openStore(id: string): Promise<S3ObjectStore> {
    const row = await this.row(id);
    const credentials = JSON.parse(
      this.secrets.decrypt(row.credentials_encrypted),
    );
    const connection = toConnection(row);
    return this.storeFor({ ...connection, ...credentials });
  }
}
