import { InputError } from '@backstage/errors';
import { posix } from 'node:path';
import { IMAGE_NAME } from './image';

/** Images in one subfolder per class: `<root>/<class>/<image>`; root '' is the dataset's top. */
export type ImageFolder = {
  root: string;
  /** Class name → image paths, classes sorted by name. */
  classes: Map<string, string[]>;
};

const EXAMPLE = 'e.g. cats/1.png, dogs/2.png';

/** Groups image paths into image folders by the folder above their class folders. */
export function imageFolders(paths: string[]): ImageFolder[] {
  const roots = new Map<string, Map<string, string[]>>();
  for (const path of paths.filter(p => IMAGE_NAME.test(p)).sort()) {
    const folder = posix.dirname(path);
    if (folder === '.') continue;
    const parent = posix.dirname(folder);
    const root = parent === '.' ? '' : parent;
    const classes = roots.get(root) ?? new Map<string, string[]>();
    const name = posix.basename(folder);
    classes.set(name, [...(classes.get(name) ?? []), path]);
    roots.set(root, classes);
  }
  return [...roots.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([root, classes]) => ({
      root,
      classes: new Map(
        [...classes.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
      ),
    }));
}

/** The image folder `path` (an image) belongs to, among the files of a version. */
export function imageFolderOf(
  path: string,
  paths: string[],
): { folder: ImageFolder; className: string } | undefined {
  if (!IMAGE_NAME.test(path)) return undefined;
  const folder = posix.dirname(path);
  if (folder === '.') return undefined;
  const parent = posix.dirname(folder);
  const root = parent === '.' ? '' : parent;
  const found = imageFolders(paths).find(f => f.root === root);
  return found && { folder: found, className: posix.basename(folder) };
}

/**
 * Checks that the images among `paths` (the files of one upload) form image folders: every image
 * in a class folder, no images beside class folders, at least two classes per folder.
 * `what` names the upload in messages.
 */
export function checkImageFolders(what: string, paths: string[]) {
  const problem = (m: string) => new InputError(`${what}: ${m}`);
  const images = paths.filter(p => IMAGE_NAME.test(p));
  if (images.length === 0) return;
  const loose = images.find(p => posix.dirname(p) === '.');
  if (loose) {
    throw problem(
      `image '${loose}' is outside a class folder: images go in one subfolder per class (${EXAMPLE})`,
    );
  }
  const folders = imageFolders(images);
  const roots = new Set(folders.map(f => f.root));
  for (const { root, classes } of folders) {
    for (const [name, files] of classes) {
      const classFolder = root ? `${root}/${name}` : name;
      if (roots.has(classFolder)) {
        const nested = folders.find(f => f.root === classFolder)!;
        throw problem(
          `image '${
            files[0]
          }' is outside a class folder: '${classFolder}' holds the class folders ${[
            ...nested.classes.keys(),
          ]
            .map(c => `'${c}'`)
            .join(', ')}`,
        );
      }
    }
  }
  for (const { root, classes } of folders) {
    if (classes.size < 2) {
      const [name] = [...classes.keys()];
      const where = root ? `image folder '${root}' has` : 'the images have';
      throw problem(
        `${where} a single class '${name}': an image dataset needs at least two class folders (${EXAMPLE})`,
      );
    }
  }
}
