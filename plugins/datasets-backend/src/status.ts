import { isError } from '@backstage/errors';
import { DependencyCheck } from '@internal/backstage-plugin-mlops-common';
import { randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { ObjectStore } from './objectStore';

function errorMessage(error: unknown) {
  return isError(error) ? error.message : String(error);
}

/** Writes a probe object, reads it back and deletes it. */
export async function checkObjectStore(
  store: ObjectStore | undefined,
): Promise<DependencyCheck> {
  const name = 'Object store writable';
  if (!store) {
    return {
      name,
      ok: false,
      message: 'No object store is configured (mlops.datasets.objectStore)',
    };
  }
  const key = `status-probe-${randomUUID()}`;
  const content = Buffer.from(`MLOps portal status probe ${key}`);
  try {
    await store.put(key, content);
    let readBack: Buffer;
    try {
      readBack = await buffer(await store.get(key));
    } finally {
      await store.delete(key);
    }
    if (!readBack.equals(content)) {
      return {
        name,
        ok: false,
        message: `The object store at ${store.location} returned other content than was written`,
      };
    }
    const freeBytes = await store.freeBytes();
    const free =
      freeBytes === undefined
        ? ''
        : `; ${(freeBytes / 1024 ** 3).toFixed(1)} GiB free`;
    return {
      name,
      ok: true,
      message: `Wrote, read back and deleted a probe object in ${store.location}${free}`,
      details: {
        location: store.location,
        ...(freeBytes !== undefined && { freeBytes }),
      },
    };
  } catch (error) {
    return {
      name,
      ok: false,
      message: `Cannot use the object store at ${
        store.location
      }: ${errorMessage(error)}`,
      details: { location: store.location },
    };
  }
}
