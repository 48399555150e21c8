import { Config } from '@backstage/config';
import { LocalDirectoryObjectStore } from './LocalDirectoryObjectStore';
import { ObjectStore } from './ObjectStore';

/** The object store configured under `mlops.datasets.objectStore`, if any. */
export function createObjectStore(config: Config): ObjectStore | undefined {
  const storeConfig = config.getOptionalConfig('mlops.datasets.objectStore');
  if (!storeConfig) {
    return undefined;
  }
  const type = storeConfig.getString('type');
  if (type === 'local') {
    return new LocalDirectoryObjectStore(storeConfig.getString('root'));
  }
  throw new Error(
    `Unknown object store type '${type}' at mlops.datasets.objectStore.type; supported: local`,
  );
}
