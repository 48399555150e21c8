import {
  ClassCount,
  FilePreview,
  FileStatistics,
  NpzArrayInfo,
} from '@internal/backstage-plugin-datasets-common';
import { NpzArray, NpzFile } from './npz';
import { encodePng } from './png';

/** Previews read at most this much of one array. */
const MAX_PREVIEW_BYTES = 32 * 1024 ** 2;
const PREVIEW_COLUMNS = 20;
const PREVIEW_ARRAYS = 10;
/** Class balance is counted over at most this many labels. */
const MAX_LABELS = 10_000_000;

export function npzArrays(npz: NpzFile): NpzArrayInfo[] {
  return npz.arrays.map(({ name, header }) => ({
    name,
    dtype: header.dtype.descr,
    shape: header.shape,
    fortranOrder: header.fortranOrder,
  }));
}

function describe(array: NpzArray) {
  return `${array.name} (${array.header.shape.join('×')} ${
    array.header.dtype.descr
  })`;
}

function asLabel(value: number | string | boolean): number | string {
  return typeof value === 'boolean' ? Number(value) : value;
}

/** 8-bit pixels from image values: floats in [0, 1] are scaled to [0, 255], all are clamped. */
function toPixels(values: (number | string | boolean)[], isFloat: boolean) {
  const numbers = values as number[];
  let scale = 1;
  if (isFloat) {
    let max = 0;
    for (const v of numbers) if (Number.isFinite(v) && v > max) max = v;
    scale = max <= 1 ? 255 : 1;
  }
  return Uint8Array.from(numbers, v =>
    Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(v * scale))) : 0,
  );
}

async function imagePreview(
  npz: NpzFile,
  images: NpzArray,
  maxImages: number,
): Promise<FilePreview | undefined> {
  const [records, height, width, channels = 1] = images.header.shape;
  const count = Math.min(records, maxImages);
  const perImage = height * width * channels;
  if (count * perImage * images.header.dtype.itemBytes > MAX_PREVIEW_BYTES) {
    return undefined;
  }
  const pixels = toPixels(
    await npz.values(images, count * perImage),
    images.header.dtype.kind === 'f',
  );
  const labelArray = npz.labelArray(records, images);
  const labels = labelArray && (await npz.values(labelArray, count));
  return {
    kind: 'images',
    width,
    height,
    caption: `${describe(images)}${
      labelArray ? `, labels from ${labelArray.name}` : ''
    }`,
    images: Array.from({ length: count }, (_, i) => {
      const png = encodePng(
        width,
        height,
        channels,
        pixels.subarray(i * perImage, (i + 1) * perImage),
      );
      return {
        index: i,
        ...(labels && { label: asLabel(labels[i]) }),
        dataUrl: `data:image/png;base64,${png.toString('base64')}`,
      };
    }),
  };
}

/** The first rows of a 1-D or 2-D array, with up to 20 of its columns. */
async function arrayTable(npz: NpzFile, array: NpzArray, maxRows: number) {
  const { shape, fortranOrder, dtype } = array.header;
  const records = shape.length === 0 ? 1 : shape[0];
  const width = shape.length === 2 ? shape[1] : 1;
  const rows = Math.min(records, maxRows);
  const shown = Math.min(width, PREVIEW_COLUMNS);
  // Row-major: the first rows are a prefix; column-major: each shown column's first rows.
  const needed = fortranOrder
    ? (shown - 1) * records + rows
    : (rows - 1) * width + shown;
  if (needed * dtype.itemBytes > MAX_PREVIEW_BYTES) return undefined;
  const values = await npz.values(array, Math.max(needed, 0));
  const at = (i: number, j: number) =>
    values[fortranOrder ? j * records + i : i * width + j];
  const columns =
    shape.length === 2
      ? Array.from({ length: shown }, (_, j) => String(j))
      : [array.name];
  return {
    name: describe(array),
    columns: [
      'index',
      ...columns,
      ...(width > shown ? [`… ${width - shown} more`] : []),
    ],
    rows: Array.from({ length: rows }, (_, i) => [
      String(i),
      ...Array.from({ length: shown }, (_x, j) => String(at(i, j))),
      ...(width > shown ? [''] : []),
    ]),
  };
}

/**
 * An image grid with labels when the file has an image-like array (labels from a 1-D label array
 * of the same length), else the first rows of its 1-D and 2-D arrays.
 */
export async function npzPreview(
  npz: NpzFile,
  maxRows: number,
  maxImages: number,
): Promise<FilePreview> {
  const images = npz.imageArray();
  if (images) {
    const preview = await imagePreview(npz, images, maxImages);
    if (preview) return preview;
  }
  const tables = [];
  for (const array of npz.arrays) {
    if (array === images || array.header.shape.length > 2) continue;
    const table = await arrayTable(npz, array, maxRows);
    if (table) tables.push(table);
    if (tables.length >= PREVIEW_ARRAYS) break;
  }
  return tables.length ? { kind: 'tables', tables } : { kind: 'other' };
}

function classCounts(values: (number | string | boolean)[]): ClassCount[] {
  const counts = new Map<number | string, number>();
  for (const value of values) {
    const label = asLabel(value);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a], [b]) =>
      typeof a === 'number' && typeof b === 'number'
        ? a - b
        : String(a).localeCompare(String(b)),
    )
    .map(([label, count]) => ({ label, count }));
}

/** The arrays, and the class balance of the label array when there is one. */
export async function npzStatistics(npz: NpzFile): Promise<FileStatistics> {
  const images = npz.imageArray();
  const labelArray = images
    ? npz.labelArray(images.header.shape[0], images)
    : npz.labelArray();
  const arrays = npzArrays(npz);
  if (!labelArray) return { kind: 'npz', arrays };
  const values = await npz.values(
    labelArray,
    Math.min(labelArray.header.shape[0], MAX_LABELS),
  );
  return {
    kind: 'npz',
    arrays,
    labels: { array: labelArray.name, classCounts: classCounts(values) },
  };
}
