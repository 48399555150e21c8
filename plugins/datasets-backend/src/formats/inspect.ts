import { InputError } from '@backstage/errors';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { UnsupportedMediaTypeError } from './errors';
import { IDX_HEADER_MAX_BYTES, looksLikeIdx, parseIdxHeader } from './idx';
import { readCsv } from './csv';

export type FileKind = 'csv' | 'idx' | 'zip' | 'image';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EMPTY_ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

export const SUPPORTED_TYPES =
  'CSV (.csv), IDX (e.g. train-images-idx3-ubyte, .idx), PNG/JPEG images and zip archives of these';

/** The kind of a file from its name and first bytes; throws 415 for anything else. */
export function detectKind(name: string, head: Buffer): FileKind {
  const lower = name.toLowerCase();
  if (
    lower.endsWith('.zip') ||
    head.subarray(0, 4).equals(ZIP_MAGIC) ||
    head.subarray(0, 4).equals(EMPTY_ZIP_MAGIC)
  ) {
    return 'zip';
  }
  if (/\.(png|jpe?g)$/.test(lower)) return 'image';
  if (lower.endsWith('.csv')) return 'csv';
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
): Promise<FileKind> {
  const head = await readHead(path, IDX_HEADER_MAX_BYTES);
  const kind = detectKind(name, head);
  if (kind === 'idx') {
    parseIdxHeader(name, head, size);
  } else if (kind === 'csv') {
    await readCsv(name, createReadStream(path));
  } else if (kind === 'image') {
    const isPng = /\.png$/i.test(name);
    const magic = isPng ? PNG_MAGIC : JPEG_MAGIC;
    if (!head.subarray(0, magic.length).equals(magic)) {
      throw new InputError(
        `Image '${name}' is not a ${
          isPng ? 'PNG' : 'JPEG'
        } file (wrong signature)`,
      );
    }
  }
  return kind;
}

/** The dataset's format from its files: the one kind they share, or "mixed". */
export function formatOf(paths: string[]): string | undefined {
  const kinds = new Set(
    paths.map(path => {
      const lower = path.toLowerCase();
      if (lower.endsWith('.csv')) return 'csv';
      if (/\.(png|jpe?g)$/.test(lower)) return 'images';
      if (looksLikeIdx(lower, Buffer.alloc(0))) return 'idx';
      return 'other';
    }),
  );
  if (kinds.size === 0) return undefined;
  return kinds.size === 1 ? [...kinds][0] : 'mixed';
}
