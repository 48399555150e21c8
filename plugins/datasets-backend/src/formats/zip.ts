import { InputError } from '@backstage/errors';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl, { Entry, ZipFile } from 'yauzl';
import { validateObjectKey } from '../objectStore';
import { isSystemError } from './errors';
import { checkImageFolders } from './imageFolder';

export type ZipLimits = {
  /** Largest total uncompressed size of all entries. */
  maxUncompressedBytes: number;
  /** Largest uncompressed:compressed ratio, of the archive and of each entry. */
  maxCompressionRatio: number;
  maxEntries: number;
};

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxUncompressedBytes: 4 * 1024 ** 3,
  maxCompressionRatio: 100,
  maxEntries: 10_000,
};

export type ExtractedEntry = { path: string; file: string; size: number };

export function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(
      path,
      {
        lazyEntries: true,
        autoClose: false,
        strictFileNames: true,
        validateEntrySizes: true,
      },
      (error, zip) => (error ? reject(error) : resolve(zip)),
    ),
  );
}

export function readEntries(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

export function entryStream(zip: ZipFile, entry: Entry) {
  return new Promise<NodeJS.ReadableStream>((resolve, reject) =>
    zip.openReadStream(entry, (error, stream) =>
      error ? reject(error) : resolve(stream),
    ),
  );
}

/** Turns yauzl's messages about unsafe names into ones that say what is wrong. */
function explainZipError(name: string, error: Error): InputError {
  const message = error.message;
  const problem = (m: string) => new InputError(`Zip archive '${name}': ${m}`);
  let match = /^invalid relative path: (.*)$/.exec(message);
  if (match) {
    return problem(
      `entry '${match[1]}' has a '..' path that leads outside the archive`,
    );
  }
  match = /^absolute path: (.*)$/.exec(message);
  if (match) return problem(`entry '${match[1]}' has an absolute path`);
  match = /^invalid characters in fileName: (.*)$/.exec(message);
  if (match) return problem(`entry '${match[1]}' has a backslash in its path`);
  return problem(`corrupt archive (${message})`);
}

/**
 * Checks a zip archive before unpacking anything (entry names, count, total size, compression
 * ratio: zip bombs are refused from the central directory), then unpacks its files under
 * `destination`. Entry sizes are enforced while unpacking, so a lying header fails too.
 */
export async function extractZip(
  zipPath: string,
  name: string,
  zipSize: number,
  destination: string,
  limits: ZipLimits,
): Promise<ExtractedEntry[]> {
  const problem = (m: string) => new InputError(`Zip archive '${name}': ${m}`);
  let zip: ZipFile;
  let entries: Entry[];
  try {
    zip = await openZip(zipPath);
    entries = await readEntries(zip);
  } catch (error) {
    throw explainZipError(name, error as Error);
  }
  try {
    const files = entries.filter(e => !e.fileName.endsWith('/'));
    if (files.length === 0) throw problem('it contains no file');
    if (entries.length > limits.maxEntries) {
      throw problem(
        `${entries.length} entries, more than the limit of ${limits.maxEntries}`,
      );
    }
    let total = 0;
    for (const entry of files) {
      try {
        validateObjectKey(entry.fileName);
      } catch (error) {
        throw problem(
          `entry ${(error as Error).message.replace(
            /^Invalid object key /,
            '',
          )}`,
        );
      }
      if (entry.isEncrypted()) {
        throw problem(`entry '${entry.fileName}' is encrypted`);
      }
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (ratio > limits.maxCompressionRatio) {
        throw problem(
          `entry '${entry.fileName}' expands ${Math.round(
            ratio,
          )}:1, more than the limit of ${
            limits.maxCompressionRatio
          }:1 (zip bomb?)`,
        );
      }
      total += entry.uncompressedSize;
    }
    if (total > limits.maxUncompressedBytes) {
      throw problem(
        `its files expand to ${total} bytes, more than the limit of ${limits.maxUncompressedBytes} (zip bomb?)`,
      );
    }
    if (total / Math.max(zipSize, 1) > limits.maxCompressionRatio) {
      throw problem(
        `it expands ${Math.round(total / zipSize)}:1, more than the limit of ${
          limits.maxCompressionRatio
        }:1 (zip bomb?)`,
      );
    }
    checkImageFolders(
      `Zip archive '${name}'`,
      files.map(e => e.fileName),
    );
    const extracted: ExtractedEntry[] = [];
    for (const [index, entry] of files.entries()) {
      const file = join(destination, String(index));
      await mkdir(dirname(file), { recursive: true });
      try {
        await pipeline(await entryStream(zip, entry), createWriteStream(file));
      } catch (error) {
        // A failed write names the temporary folder: say only what failed.
        const reason = isSystemError(error)
          ? `${error.code} while writing it`
          : (error as Error).message;
        throw problem(
          `entry '${entry.fileName}' cannot be unpacked: ${reason}`,
        );
      }
      extracted.push({
        path: entry.fileName,
        file,
        size: entry.uncompressedSize,
      });
    }
    return extracted;
  } finally {
    zip.close();
  }
}
