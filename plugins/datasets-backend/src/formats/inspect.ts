import { InputError } from '@backstage/errors';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { UnsupportedMediaTypeError } from './errors';
import { IDX_HEADER_MAX_BYTES, looksLikeIdx, parseIdxHeader } from './idx';
import { readCsv } from './csv';
import {
  checkImageSize,
  DEFAULT_IMAGE_LIMITS,
  IMAGE_NAME,
  imageInfo,
  ImageLimits,
} from './image';
import { NpzFile } from './npz';
import { checkParquetData, PARQUET_MAGIC, withParquet } from './parquet';

export type FileKind = 'csv' | 'idx' | 'zip' | 'image' | 'parquet' | 'npz';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EMPTY_ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
/** Images are checked whole, in memory. */
const MAX_IMAGE_BYTES = 256 * 1024 ** 2;

export const SUPPORTED_TYPES =
  'CSV (.csv), IDX (e.g. train-images-idx3-ubyte, .idx), Parquet (.parquet), NPZ (.npz), PNG/JPEG images in one folder per class, and zip archives of these';

/** The kind of a file from its name and first bytes; throws 415 for anything else. */
export function detectKind(name: string, head: Buffer): FileKind {
  const lower = name.toLowerCase();
  // An .npz file is a zip archive too.
  if (lower.endsWith('.npz')) return 'npz';
  if (
    lower.endsWith('.zip') ||
    head.subarray(0, 4).equals(ZIP_MAGIC) ||
    head.subarray(0, 4).equals(EMPTY_ZIP_MAGIC)
  ) {
    return 'zip';
  }
  if (IMAGE_NAME.test(lower)) return 'image';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.parquet') || head.subarray(0, 4).equals(PARQUET_MAGIC)) {
    return 'parquet';
  }
  if (looksLikeIdx(lower, head)) return 'idx';
  throw new UnsupportedMediaTypeError(
    `Unsupported file type for '${name}': supported are ${SUPPORTED_TYPES}`,
  );
}

/** The first `bytes` bytes of a local file. */
export async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Checks that a local file is a well-formed file of its kind; 4xx naming the problem if not. */
export async function validateFile(
  path: string,
  name: string,
  size: number,
  imageLimits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): Promise<FileKind> {
  const head = await readHead(path, IDX_HEADER_MAX_BYTES);
  const kind = detectKind(name, head);
  if (kind === 'idx') {
    parseIdxHeader(name, head, size);
  } else if (kind === 'csv') {
    await readCsv(name, createReadStream(path));
  } else if (kind === 'image') {
    if (size > MAX_IMAGE_BYTES) {
      throw new InputError(
        `Image '${name}' is ${size} bytes, more than the limit of ${MAX_IMAGE_BYTES} for one image`,
      );
    }
    checkImageSize(name, imageInfo(name, await readFile(path)), imageLimits);
  } else if (kind === 'parquet') {
    await withParquet(path, name, table => checkParquetData(name, table));
  } else if (kind === 'npz') {
    (await NpzFile.open(path, name, true)).close();
  }
  return kind;
}

/** The dataset's format from its files: the one kind they share, or "mixed". */
export function formatOf(paths: string[]): string | undefined {
  const kinds = new Set(
    paths.map(path => {
      const lower = path.toLowerCase();
      if (lower.endsWith('.csv')) return 'csv';
      if (lower.endsWith('.parquet')) return 'parquet';
      if (lower.endsWith('.npz')) return 'npz';
      if (IMAGE_NAME.test(lower)) return 'images';
      if (looksLikeIdx(lower, Buffer.alloc(0))) return 'idx';
      return 'other';
    }),
  );
  if (kinds.size === 0) return undefined;
  return kinds.size === 1 ? [...kinds][0] : 'mixed';
}
