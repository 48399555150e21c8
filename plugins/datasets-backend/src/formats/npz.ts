import { InputError } from '@backstage/errors';
import { Entry, ZipFile } from 'yauzl';
import {
  NPY_HEADER_MAX_BYTES,
  NpyHeader,
  npyProblem,
  npyValues,
  parseNpyHeader,
} from './npy';
import { readPrefix } from './streams';
import { DEFAULT_ZIP_LIMITS, entryStream, openZip, readEntries } from './zip';

export type NpzArray = { name: string; entry: Entry; header: NpyHeader };

const LABEL_NAME =
  /^(?:y|labels?|targets?|class(?:es)?)(?:[_-](?<suffix>.*))?$/i;
const IMAGE_NAME =
  /^(?:x|images?|data|inputs?|features)(?:[_-](?<suffix>.*))?$/i;

/** numpy's .npz: a zip archive of .npy arrays, one per entry named `<array>.npy`. */
export class NpzFile {
  private constructor(
    private readonly zip: ZipFile,
    readonly name: string,
    readonly arrays: NpzArray[],
  ) {}

  /**
   * Opens a local .npz file and reads its arrays' headers. With `verify`, every array is read to
   * its end and must hold exactly the data its header declares (used on upload); otherwise the
   * archive's declared sizes are trusted (used on content checked before).
   */
  static async open(path: string, name: string, verify = false) {
    const problem = (m: string) => new InputError(`NPZ file '${name}': ${m}`);
    let opened: ZipFile | undefined;
    let entries: Entry[];
    try {
      opened = await openZip(path);
      entries = await readEntries(opened);
    } catch (error) {
      opened?.close();
      throw problem(
        `not a readable zip archive of .npy arrays (${
          (error as Error).message
        })`,
      );
    }
    const zip = opened;
    try {
      const files = entries.filter(e => !e.fileName.endsWith('/'));
      if (files.length === 0) throw problem('it contains no array');
      const total = files.reduce((sum, e) => sum + e.uncompressedSize, 0);
      if (total > DEFAULT_ZIP_LIMITS.maxUncompressedBytes) {
        throw problem(
          `its arrays expand to ${total} bytes, more than the limit of ${DEFAULT_ZIP_LIMITS.maxUncompressedBytes}`,
        );
      }
      const arrays: NpzArray[] = [];
      for (const entry of files) {
        if (!entry.fileName.endsWith('.npy')) {
          throw problem(`entry '${entry.fileName}' is not a .npy array`);
        }
        if (entry.isEncrypted()) {
          throw problem(`entry '${entry.fileName}' is encrypted`);
        }
        const arrayName = entry.fileName.slice(0, -'.npy'.length);
        const arrayProblem = npyProblem(name, arrayName);
        let header: NpyHeader;
        try {
          header = verify
            ? await readWholeHeader(zip, entry, arrayProblem)
            : parseNpyHeader(
                await readPrefix(
                  await entryStream(zip, entry),
                  Math.min(entry.uncompressedSize, NPY_HEADER_MAX_BYTES),
                ),
                arrayProblem,
                entry.uncompressedSize,
              );
        } catch (error) {
          if (error instanceof InputError) throw error;
          throw arrayProblem(`cannot be read: ${(error as Error).message}`);
        }
        arrays.push({ name: arrayName, entry, header });
      }
      return new NpzFile(zip, name, arrays);
    } catch (error) {
      zip.close();
      throw error;
    }
  }

  close() {
    this.zip.close();
  }

  /** The first `count` elements of an array, in file order (row-major unless Fortran order). */
  async values(array: NpzArray, count: number) {
    const { header } = array;
    const bytes = await readPrefix(
      await entryStream(this.zip, array.entry),
      header.headerBytes +
        Math.min(count * header.dtype.itemBytes, header.dataBytes),
    );
    return npyValues(header.dtype, bytes.subarray(header.headerBytes));
  }

  /** The first image-like array: (N, H, W) or (N, H, W, C) with C 1, 3 or 4, uint8 or float. */
  imageArray(): NpzArray | undefined {
    const candidates = this.arrays.filter(({ header }) => {
      const { shape, dtype } = header;
      const channels = shape.length === 4 ? shape[3] : 1;
      return (
        !header.fortranOrder &&
        (shape.length === 3 || shape.length === 4) &&
        [1, 3, 4].includes(channels) &&
        shape[1] > 0 &&
        shape[2] > 0 &&
        ((dtype.kind === 'u' && dtype.itemBytes === 1) || dtype.kind === 'f')
      );
    });
    return candidates.find(a => IMAGE_NAME.test(a.name)) ?? candidates[0];
  }

  /**
   * The label array: 1-D, integer or string, named like y/labels/targets, of `records` records
   * when given; for images named x_train, y_train is preferred over y_test.
   */
  labelArray(records?: number, partner?: NpzArray): NpzArray | undefined {
    const candidates = this.arrays.filter(
      ({ name, header }) =>
        LABEL_NAME.test(name) &&
        header.shape.length === 1 &&
        (records === undefined || header.shape[0] === records) &&
        ['i', 'u', 'b', 'U', 'S'].includes(header.dtype.kind),
    );
    const suffix = partner && IMAGE_NAME.exec(partner.name)?.groups?.suffix;
    return (
      (suffix !== undefined &&
        candidates.find(
          a => LABEL_NAME.exec(a.name)?.groups?.suffix === suffix,
        )) ||
      candidates[0]
    );
  }
}

/** Reads an array to its end: the header must parse and the data match it exactly. */
async function readWholeHeader(
  zip: ZipFile,
  entry: Entry,
  problem: (m: string) => Error,
): Promise<NpyHeader> {
  const head: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  for await (const chunk of await entryStream(zip, entry)) {
    const bytes = chunk as Buffer;
    if (headLength < NPY_HEADER_MAX_BYTES) {
      head.push(bytes);
      headLength += bytes.length;
    }
    size += bytes.length;
  }
  return parseNpyHeader(Buffer.concat(head), problem, size);
}
