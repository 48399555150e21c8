import { InputError } from '@backstage/errors';
import { ColumnType } from '@internal/backstage-plugin-datasets-common';
import type {
  AsyncBuffer,
  Compressors,
  FileMetaData,
  SchemaTree,
} from 'hyparquet';
import {
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
} from 'hyparquet';
import { open } from 'node:fs/promises';
import {
  brotliDecompressSync,
  gunzipSync,
  zstdDecompressSync,
} from 'node:zlib';

export const PARQUET_MAGIC = Buffer.from('PAR1', 'ascii');

/** Codecs beyond hyparquet's own (uncompressed, snappy), from Node's zlib. LZ4 is not read. */
const COMPRESSORS: Compressors = {
  GZIP: input => gunzipSync(input),
  BROTLI: input => brotliDecompressSync(input),
  ZSTD: input => zstdDecompressSync(input),
};

export type ParquetColumn = {
  name: string;
  type: ColumnType;
  sourceType: string;
};

/** A local Parquet file opened for reading: its footer metadata and top-level columns. */
export type ParquetTable = {
  file: AsyncBuffer;
  metadata: FileMetaData;
  columns: ParquetColumn[];
  rowCount: number;
};

function columnOf(tree: SchemaTree): ParquetColumn {
  const { element } = tree;
  const logical = element.logical_type?.type ?? element.converted_type;
  const name = element.name;
  if (tree.children.length > 0) {
    return {
      name,
      type: 'string',
      sourceType: logical ? String(logical) : 'STRUCT',
    };
  }
  const physical = element.type ?? 'UNKNOWN';
  const sourceType = logical ? `${physical} (${logical})` : physical;
  let type: ColumnType = 'string';
  if (physical === 'BOOLEAN') type = 'boolean';
  else if (
    logical === 'DECIMAL' ||
    physical === 'FLOAT' ||
    physical === 'DOUBLE'
  )
    type = 'number';
  else if (
    (physical === 'INT32' || physical === 'INT64') &&
    (!logical || logical === 'INTEGER' || /^U?INT_/.test(String(logical)))
  )
    type = 'integer';
  return { name, type, sourceType };
}

/** An AsyncBuffer over an open local file. */
function fileBuffer(
  handle: Awaited<ReturnType<typeof open>>,
  size: number,
): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end = size) {
      const from = start < 0 ? Math.max(0, size + start) : start;
      const to = Math.min(end < 0 ? size + end : end, size);
      const buffer = Buffer.alloc(Math.max(0, to - from));
      if (buffer.length > 0) {
        await handle.read(buffer, 0, buffer.length, from);
      }
      return buffer.buffer.slice(
        buffer.byteOffset,
        buffer.byteOffset + buffer.length,
      ) as ArrayBuffer;
    },
  };
}

/** 400 naming the problem, for anything hyparquet cannot read. */
function readProblem(name: string, what: string, error: unknown) {
  if (error instanceof InputError) return error;
  return new InputError(
    `Parquet file '${name}': ${what} (${(error as Error).message})`,
  );
}

/**
 * Opens a local Parquet file and checks its frame (magic bytes at both ends, footer length), its
 * footer metadata and schema; 400 naming the problem when any is broken.
 */
export async function withParquet<T>(
  path: string,
  name: string,
  fn: (table: ParquetTable) => Promise<T>,
): Promise<T> {
  const problem = (m: string) => new InputError(`Parquet file '${name}': ${m}`);
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 12) {
      throw problem(`truncated: ${size} bytes, too short for a Parquet file`);
    }
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(8);
    await handle.read(head, 0, 4, 0);
    await handle.read(tail, 0, 8, size - 8);
    if (!head.equals(PARQUET_MAGIC)) {
      throw problem("not a Parquet file: it does not start with 'PAR1'");
    }
    if (!tail.subarray(4).equals(PARQUET_MAGIC)) {
      throw problem(
        "truncated or corrupt: it does not end with 'PAR1' (the footer is missing)",
      );
    }
    const footerLength = tail.readUInt32LE(0);
    if (footerLength + 12 > size) {
      throw problem(
        `truncated or corrupt: the footer declares ${footerLength} bytes of metadata but the file has ${size} bytes`,
      );
    }
    const file = fileBuffer(handle, size);
    let metadata: FileMetaData;
    let columns: ParquetColumn[];
    try {
      metadata = await parquetMetadataAsync(file);
      columns = parquetSchema(metadata).children.map(columnOf);
    } catch (error) {
      throw readProblem(name, 'its footer metadata cannot be read', error);
    }
    if (columns.length === 0) throw problem('it has no columns');
    const rowCount = Number(metadata.num_rows);
    const groupRows = metadata.row_groups.reduce(
      (sum, group) => sum + Number(group.num_rows),
      0,
    );
    if (groupRows !== rowCount) {
      throw problem(
        `corrupt metadata: ${rowCount} rows in all, but its row groups hold ${groupRows}`,
      );
    }
    return await fn({ file, metadata, columns, rowCount });
  } finally {
    await handle.close();
  }
}

/** Reads rows [rowStart, rowEnd) as objects keyed by column name. */
export async function readParquetRows(
  name: string,
  table: ParquetTable,
  rowStart: number,
  rowEnd: number,
  columns?: string[],
): Promise<Record<string, unknown>[]> {
  try {
    return await parquetReadObjects({
      file: table.file,
      metadata: table.metadata,
      columns,
      rowStart,
      rowEnd,
      compressors: COMPRESSORS,
    });
  } catch (error) {
    throw readProblem(
      name,
      `rows ${rowStart} to ${rowEnd - 1}${
        columns ? ` of column '${columns.join("', '")}'` : ''
      } cannot be read`,
      error,
    );
  }
}

/**
 * Calls `onRow` with the first `maxRows` rows, a row group at a time, as the text of each cell
 * (missing values as ''); `onRow` may return 'stop'.
 */
export async function forEachParquetRow(
  name: string,
  table: ParquetTable,
  maxRows: number,
  onRow: (fields: string[]) => void | 'stop',
) {
  let start = 0;
  for (const group of table.metadata.row_groups) {
    const end = Math.min(start + Number(group.num_rows), maxRows);
    if (end > start) {
      const rows = await readParquetRows(name, table, start, end);
      for (const row of rows) {
        if (onRow(table.columns.map(c => cellText(row[c.name]))) === 'stop') {
          return;
        }
      }
    }
    start += Number(group.num_rows);
    if (start >= maxRows) return;
  }
}

/** Checks that every column of every row group decodes, one column chunk at a time. */
export async function checkParquetData(name: string, table: ParquetTable) {
  let start = 0;
  for (const group of table.metadata.row_groups) {
    const end = start + Number(group.num_rows);
    for (const column of table.columns) {
      await readParquetRows(name, table, start, end, [column.name]);
    }
    start = end;
  }
}

const MAX_CELL_CHARS = 200;

/** A cell as text: numbers, booleans and strings as they are, dates ISO, bytes hex, rest JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean'
  )
    text = String(value);
  else if (value instanceof Date) text = value.toISOString();
  else if (value instanceof Uint8Array)
    text = `0x${Buffer.from(value).toString('hex')}`;
  else
    text = JSON.stringify(value, (_key, v) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
  return text.length > MAX_CELL_CHARS
    ? `${text.slice(0, MAX_CELL_CHARS)}…`
    : text;
}
