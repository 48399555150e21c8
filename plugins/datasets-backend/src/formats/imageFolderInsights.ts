import {
  DatasetFile,
  FilePreview,
  FileSchema,
  FileStatistics,
} from '@internal/backstage-plugin-datasets-common';
import { buffer } from 'node:stream/consumers';
import { ObjectStore } from '../objectStore';
import { IMAGE_HEADER_MAX_BYTES, imageInfo } from './image';
import { ImageFolder } from './imageFolder';
import { readPrefix } from './streams';

/** Image sizes are measured on a sample of this many images, spread over the classes. */
const SIZE_SAMPLE = 48;
/** A preview carries at most this many bytes of images. */
const MAX_PREVIEW_BYTES = 8 * 1024 ** 2;

/** Up to `count` image paths taking turns across the classes, starting with `first`. */
function acrossClasses(folder: ImageFolder, count: number, first?: string) {
  const picked = first ? [first] : [];
  const lists = [...folder.classes.values()];
  const longest = Math.max(...lists.map(l => l.length));
  for (let i = 0; i < longest && picked.length < count; i++) {
    for (const list of lists) {
      if (picked.length >= count) break;
      if (i < list.length && list[i] !== first) picked.push(list[i]);
    }
  }
  return picked;
}

function classOf(folder: ImageFolder, path: string) {
  for (const [name, paths] of folder.classes) {
    if (paths.includes(path)) return name;
  }
  return undefined;
}

function fileAt(files: DatasetFile[], path: string) {
  return files.find(f => f.path === path)!;
}

export async function imageFolderSchema(
  store: ObjectStore,
  folder: ImageFolder,
  files: DatasetFile[],
): Promise<FileSchema> {
  const sizes = new Map<
    string,
    { width: number; height: number; count: number }
  >();
  const sample = acrossClasses(folder, SIZE_SAMPLE);
  for (const path of sample) {
    const head = await readPrefix(
      await store.get(fileAt(files, path).key),
      IMAGE_HEADER_MAX_BYTES,
    );
    const { width, height } = imageInfo(path, head, true);
    const key = `${width}x${height}`;
    const size = sizes.get(key) ?? { width, height, count: 0 };
    size.count++;
    sizes.set(key, size);
  }
  return {
    kind: 'imageFolder',
    root: folder.root,
    classes: [...folder.classes].map(([name, paths]) => ({
      name,
      count: paths.length,
    })),
    imageSizes: [...sizes.values()].sort((a, b) => b.count - a.count),
    sizesMeasured: sample.length,
  };
}

/** An image grid across the classes, the chosen image first, each labelled with its class. */
export async function imageFolderPreview(
  store: ObjectStore,
  folder: ImageFolder,
  files: DatasetFile[],
  chosen: string,
  maxImages: number,
  maxImageBytes: number,
): Promise<FilePreview> {
  const images = [];
  const sizes = new Set<string>();
  let size = { width: 0, height: 0 };
  let budget = MAX_PREVIEW_BYTES;
  for (const path of acrossClasses(folder, maxImages, chosen)) {
    const file = fileAt(files, path);
    if (file.size > maxImageBytes || file.size > budget) continue;
    budget -= file.size;
    const content = await buffer(await store.get(file.key));
    const info = imageInfo(path, content, true);
    size = { width: info.width, height: info.height };
    sizes.add(`${info.width}x${info.height}`);
    const type = info.format === 'png' ? 'image/png' : 'image/jpeg';
    images.push({
      index: images.length,
      label: classOf(folder, path),
      dataUrl: `data:${type};base64,${content.toString('base64')}`,
    });
  }
  const classes = [...folder.classes.keys()];
  return {
    kind: 'images',
    ...(sizes.size === 1 ? size : { width: 0, height: 0 }),
    caption: `${folder.root ? `'${folder.root}': ` : ''}${
      classes.length
    } classes (${classes.slice(0, 10).join(', ')}${
      classes.length > 10 ? ', …' : ''
    })`,
    images,
  };
}

export function imageFolderStatistics(folder: ImageFolder): FileStatistics {
  const classCounts = [...folder.classes].map(([label, paths]) => ({
    label,
    count: paths.length,
  }));
  return {
    kind: 'imageFolder',
    root: folder.root,
    imageCount: classCounts.reduce((sum, c) => sum + c.count, 0),
    classCounts,
  };
}
