import { Config } from '@backstage/config';
import { LocalDirectoryObjectStore } from './LocalDirectoryObjectStore';
import { ObjectStore } from './ObjectStore';
import { S3ObjectStore } from './S3ObjectStore';

/** An object store from a config block of type local or s3 (see config.d.ts). */
export function objectStoreFromConfig(
  storeConfig: Config,
  path: string,
): ObjectStore {
  const type = storeConfig.getString('type');
  if (type === 'local') {
    return new LocalDirectoryObjectStore(storeConfig.getString('root'));
  }
  if (type === 's3') {
    return new S3ObjectStore({
      endpoint: storeConfig.getOptionalString('endpoint'),
      region: storeConfig.getOptionalString('region'),
      bucket: storeConfig.getString('bucket'),
      prefix: storeConfig.getOptionalString('prefix'),
      accessKeyId: storeConfig.getOptionalString('accessKeyId'),
      secretAccessKey: storeConfig.getOptionalString('secretAccessKey'),
      forcePathStyle: storeConfig.getOptionalBoolean('forcePathStyle'),
    });
  }
  throw new Error(
    `Unknown object store type '${type}' at ${path}.type; supported: local, s3`,
  );
}

/** The object store configured under `mlops.datasets.objectStore`, if any. */
export function createObjectStore(config: Config): ObjectStore | undefined {
  const storeConfig = config.getOptionalConfig('mlops.datasets.objectStore');
  return (
    storeConfig &&
    objectStoreFromConfig(storeConfig, 'mlops.datasets.objectStore')
  );
}
