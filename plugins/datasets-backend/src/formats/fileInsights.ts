import { InputError, NotFoundError } from '@backstage/errors';
import {
  DatasetFile,
  FilePreview,
  FileSchema,
  FileStatistics,
} from '@internal/backstage-plugin-datasets-common';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { ObjectStore } from '../objectStore';
import { readCsv } from './csv';
import { detectKind } from './inspect';
import { IDX_HEADER_MAX_BYTES, IdxHeader, parseIdxHeader } from './idx';
import { imageFolderOf } from './imageFolder';
import {
  imageFolderPreview,
  imageFolderSchema,
  imageFolderStatistics,
} from './imageFolderInsights';
import { NpzFile } from './npz';
import { npzArrays, npzPreview, npzStatistics } from './npzInsights';
import { forEachParquetRow, ParquetTable, withParquet } from './parquet';
import { grayscalePng } from './png';
import { readPrefix } from './streams';
import { TableProfiler } from './tableStatistics';

export const PREVIEW_ROWS = 20;
export const PREVIEW_IMAGES = 24;
/** Statistics of larger tables are computed over their first rows. */
export const STATISTICS_MAX_ROWS = 200_000;
const MAX_IMAGE_PREVIEW_BYTES = 2 * 1024 ** 2;

/** The label file that goes with an IDX image file, MNIST style (images-idx3 → labels-idx1). */
export function labelFileFor(
  images: DatasetFile,
  files: DatasetFile[],
): DatasetFile | undefined {
  const path = images.path.replace(/images(.)idx3/, 'labels$1idx1');
  return path === images.path ? undefined : files.find(f => f.path === path);
}

function isImageIdx(header: IdxHeader) {
  return header.dimensions.length === 3 && header.dataType === 'uint8';
}

/** Schema, preview and statistics of the files of a dataset version, read from the store. */
export class FileInsights {
  constructor(private readonly store: ObjectStore) {}

  private async idxHeader(file: DatasetFile) {
    const head = await readPrefix(
      await this.store.get(file.key),
      IDX_HEADER_MAX_BYTES,
    );
    return parseIdxHeader(file.path, head, file.size);
  }

  private async kind(file: DatasetFile) {
    const head = await readPrefix(
      await this.store.get(file.key),
      IDX_HEADER_MAX_BYTES,
    );
    return detectKind(file.path.split('/').pop()!, head);
  }

  /** Runs `fn` on a private local copy of the file (Parquet and NPZ are read out of order). */
  private async withLocalCopy<T>(
    file: DatasetFile,
    fn: (path: string) => Promise<T>,
  ): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'dataset-insights-'));
    try {
      const path = join(dir, 'file');
      await pipeline(await this.store.get(file.key), createWriteStream(path));
      return await fn(path);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private withParquet<T>(
    file: DatasetFile,
    fn: (table: ParquetTable) => Promise<T>,
  ) {
    return this.withLocalCopy(file, path => withParquet(path, file.path, fn));
  }

  private withNpz<T>(file: DatasetFile, fn: (npz: NpzFile) => Promise<T>) {
    return this.withLocalCopy(file, async path => {
      const npz = await NpzFile.open(path, file.path);
      try {
        return await fn(npz);
      } finally {
        npz.close();
      }
    });
  }

  private async parquetProfile(file: DatasetFile, maxRows: number) {
    return this.withParquet(file, async table => {
      const profiler = new TableProfiler(table.columns.map(c => c.name));
      await forEachParquetRow(file.path, table, maxRows, fields =>
        profiler.add(fields),
      );
      return profiler;
    });
  }

  private imageFolder(file: DatasetFile, files: DatasetFile[]) {
    return imageFolderOf(
      file.path,
      files.map(f => f.path),
    )?.folder;
  }

  async schema(
    file: DatasetFile,
    files: DatasetFile[] = [],
  ): Promise<FileSchema> {
    const kind = await this.kind(file);
    if (kind === 'idx') {
      const header = await this.idxHeader(file);
      return {
        kind: 'idx',
        dataType: header.dataType,
        dimensions: header.dimensions,
      };
    }
    if (kind === 'csv') {
      const profile = await this.profileCsv(file, Infinity);
      return {
        kind: 'table',
        columns: profile.types(),
        rowCount: profile.rowCount,
      };
    }
    if (kind === 'parquet') {
      return this.withParquet<FileSchema>(file, async table => ({
        kind: 'table',
        columns: table.columns,
        rowCount: table.rowCount,
      }));
    }
    if (kind === 'npz') {
      return this.withNpz<FileSchema>(file, async npz => ({
        kind: 'npz',
        arrays: npzArrays(npz),
      }));
    }
    const folder = kind === 'image' && this.imageFolder(file, files);
    if (folder) return imageFolderSchema(this.store, folder, files);
    return { kind: 'other' };
  }

  private async profileCsv(file: DatasetFile, maxRows: number) {
    let profiler: TableProfiler | undefined;
    const { header } = await readCsv(
      file.path,
      await this.store.get(file.key),
      fields => {
        profiler!.add(fields);
        return profiler!.rowCount >= maxRows ? 'stop' : undefined;
      },
      columns => {
        profiler = new TableProfiler(columns);
      },
    );
    return profiler ?? new TableProfiler(header);
  }

  async preview(file: DatasetFile, files: DatasetFile[]): Promise<FilePreview> {
    const kind = await this.kind(file);
    if (kind === 'csv') {
      const rows: string[][] = [];
      const { header } = await readCsv(
        file.path,
        await this.store.get(file.key),
        fields => {
          rows.push(fields);
          return rows.length >= PREVIEW_ROWS ? 'stop' : undefined;
        },
      );
      return { kind: 'table', columns: header, rows };
    }
    if (kind === 'parquet') {
      return this.withParquet<FilePreview>(file, async table => {
        const rows: string[][] = [];
        await forEachParquetRow(file.path, table, PREVIEW_ROWS, fields => {
          rows.push(fields);
        });
        return { kind: 'table', columns: table.columns.map(c => c.name), rows };
      });
    }
    if (kind === 'npz') {
      return this.withNpz(file, npz =>
        npzPreview(npz, PREVIEW_ROWS, PREVIEW_IMAGES),
      );
    }
    const folder = kind === 'image' && this.imageFolder(file, files);
    if (folder) {
      return imageFolderPreview(
        this.store,
        folder,
        files,
        file.path,
        PREVIEW_IMAGES,
        MAX_IMAGE_PREVIEW_BYTES,
      );
    }
    if (kind === 'idx') {
      const header = await this.idxHeader(file);
      if (isImageIdx(header)) return this.previewIdxImages(file, header, files);
      const count = Math.min(header.dimensions[0], PREVIEW_ROWS);
      const rowLength = header.dimensions.slice(1).reduce((a, b) => a * b, 1);
      const values = await this.idxValues(file, header, count * rowLength);
      return {
        kind: 'table',
        columns: ['index', header.dimensions.length === 1 ? 'value' : 'values'],
        rows: Array.from({ length: count }, (_, i) => [
          String(i),
          values.slice(i * rowLength, (i + 1) * rowLength).join(' '),
        ]),
      };
    }
    if (kind === 'image' && file.size <= MAX_IMAGE_PREVIEW_BYTES) {
      const content = await buffer(await this.store.get(file.key));
      const type = /\.png$/i.test(file.path) ? 'image/png' : 'image/jpeg';
      return {
        kind: 'images',
        width: 0,
        height: 0,
        images: [
          {
            index: 0,
            dataUrl: `data:${type};base64,${content.toString('base64')}`,
          },
        ],
      };
    }
    return { kind: 'other' };
  }

  /** The first `count` elements of an IDX file's data, as numbers. */
  private async idxValues(file: DatasetFile, header: IdxHeader, count: number) {
    const bytes = await readPrefix(
      await this.store.get(file.key),
      header.headerBytes + count * header.itemBytes,
    );
    const data = bytes.subarray(header.headerBytes);
    const read: Record<string, (offset: number) => number> = {
      uint8: o => data.readUInt8(o),
      int8: o => data.readInt8(o),
      int16: o => data.readInt16BE(o),
      int32: o => data.readInt32BE(o),
      float32: o => data.readFloatBE(o),
      float64: o => data.readDoubleBE(o),
    };
    return Array.from({ length: count }, (_, i) =>
      read[header.dataType](i * header.itemBytes),
    );
  }

  private async previewIdxImages(
    file: DatasetFile,
    header: IdxHeader,
    files: DatasetFile[],
  ): Promise<FilePreview> {
    const [records, height, width] = header.dimensions;
    const count = Math.min(records, PREVIEW_IMAGES);
    const pixels = await readPrefix(
      await this.store.get(file.key),
      header.headerBytes + count * width * height,
    );
    let labels: number[] | undefined;
    const labelFile = labelFileFor(file, files);
    if (labelFile) {
      const labelHeader = await this.idxHeader(labelFile);
      if (
        labelHeader.dimensions.length === 1 &&
        labelHeader.dimensions[0] === records
      ) {
        labels = await this.idxValues(labelFile, labelHeader, count);
      }
    }
    return {
      kind: 'images',
      width,
      height,
      images: Array.from({ length: count }, (_, i) => {
        const start = header.headerBytes + i * width * height;
        const png = grayscalePng(
          width,
          height,
          pixels.subarray(start, start + width * height),
        );
        return {
          index: i,
          ...(labels && { label: labels[i] }),
          dataUrl: `data:image/png;base64,${png.toString('base64')}`,
        };
      }),
    };
  }

  async statistics(
    file: DatasetFile,
    files: DatasetFile[] = [],
  ): Promise<FileStatistics> {
    const kind = await this.kind(file);
    if (kind === 'parquet') {
      const profile = await this.parquetProfile(file, STATISTICS_MAX_ROWS);
      return {
        kind: 'table',
        rowCount: profile.rowCount,
        columns: profile.summaries(),
      };
    }
    if (kind === 'npz') return this.withNpz(file, npzStatistics);
    const folder = kind === 'image' && this.imageFolder(file, files);
    if (folder) return imageFolderStatistics(folder);
    if (kind === 'csv') {
      const profile = await this.profileCsv(file, STATISTICS_MAX_ROWS);
      return {
        kind: 'table',
        rowCount: profile.rowCount,
        columns: profile.summaries(),
      };
    }
    if (kind !== 'idx') return { kind: 'other' };
    const header = await this.idxHeader(file);
    if (header.dataType !== 'uint8') {
      return { kind: 'idx', dimensions: header.dimensions };
    }
    // One pass over the data: class counts for label files, mean value for images.
    const counts = new Array<number>(256).fill(0);
    let offset = 0;
    for await (const chunk of await this.store.get(file.key)) {
      const bytes = chunk as Buffer;
      const start = Math.max(0, header.headerBytes - offset);
      for (let i = start; i < bytes.length; i++) counts[bytes[i]]++;
      offset += bytes.length;
    }
    if (header.dimensions.length === 1) {
      return {
        kind: 'idx',
        dimensions: header.dimensions,
        classCounts: counts
          .map((count, label) => ({ label, count }))
          .filter(c => c.count > 0),
      };
    }
    const total = counts.reduce((a, b) => a + b, 0);
    const sum = counts.reduce((acc, count, value) => acc + count * value, 0);
    return {
      kind: 'idx',
      dimensions: header.dimensions,
      meanValue: total ? sum / total : 0,
    };
  }
}

export function findFile(files: DatasetFile[], path: unknown): DatasetFile {
  if (typeof path !== 'string' || !path) {
    throw new InputError(
      'The query parameter path names the file, e.g. ?path=train.csv',
    );
  }
  const file = files.find(f => f.path === path);
  if (!file) {
    throw new NotFoundError(`This version has no file '${path}'`);
  }
  return file;
}
