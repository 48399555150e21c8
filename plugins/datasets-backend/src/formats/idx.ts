import { InputError } from '@backstage/errors';
import { checkDataLength } from './errors';

/** IDX element types by their code in the header's third byte. */
export const IDX_TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

const MAX_DIMENSIONS = 8;

export type IdxHeader = {
  typeCode: number;
  dataType: string;
  itemBytes: number;
  dimensions: number[];
  headerBytes: number;
  dataBytes: number;
};

/** The header length and dimensions need at most this many bytes. */
export const IDX_HEADER_MAX_BYTES = 4 + 4 * MAX_DIMENSIONS;

export function looksLikeIdx(name: string, head: Buffer): boolean {
  return (
    /(^|[-_.])idx\d?([-_.]ubyte)?$|\.idx\d?$/i.test(name) ||
    (head.length >= 4 &&
      head[0] === 0 &&
      head[1] === 0 &&
      head[2] in IDX_TYPES &&
      head[3] >= 1 &&
      head[3] <= MAX_DIMENSIONS)
  );
}

/**
 * Reads and checks an IDX header (magic, element type, number of dimensions) from the first
 * bytes of a file; `size`, when known, must be exactly header plus the data the header declares.
 */
export function parseIdxHeader(
  name: string,
  head: Buffer,
  size?: number,
): IdxHeader {
  const problem = (message: string) =>
    new InputError(`IDX file '${name}': ${message}`);
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    throw problem(
      'gzip-compressed IDX is not supported; upload the decompressed file',
    );
  }
  if (head.length < 4) {
    throw problem(
      `truncated: ${head.length} bytes, shorter than the 4-byte magic number`,
    );
  }
  if (head[0] !== 0 || head[1] !== 0) {
    throw problem(
      `bad magic number 0x${head
        .subarray(0, 4)
        .toString('hex')}: the first two bytes must be zero`,
    );
  }
  const type = IDX_TYPES[head[2]];
  if (!type) {
    throw problem(
      `unknown element type code 0x${head[2].toString(16).padStart(2, '0')}`,
    );
  }
  const ndim = head[3];
  if (ndim < 1 || ndim > MAX_DIMENSIONS) {
    throw problem(`${ndim} dimensions; expected 1 to ${MAX_DIMENSIONS}`);
  }
  const headerBytes = 4 + 4 * ndim;
  if (head.length < headerBytes) {
    throw problem(
      `truncated header: ${ndim} dimensions need ${headerBytes} bytes, the file has ${head.length}`,
    );
  }
  const dimensions = Array.from({ length: ndim }, (_, i) =>
    head.readUInt32BE(4 + 4 * i),
  );
  if (dimensions[0] === 0) {
    throw problem('it holds 0 items; an IDX file needs at least 1');
  }
  const empty = dimensions.indexOf(0);
  if (empty > 0) {
    throw problem(
      `dimension ${empty + 1} of ${dimensions.join(
        'x',
      )} is 0; every item needs at least 1 value`,
    );
  }
  const dataBytes = dimensions.reduce((a, b) => a * b, 1) * type.bytes;
  if (size !== undefined) {
    checkDataLength(
      problem,
      `${dimensions.join('x')} ${type.name}`,
      dataBytes,
      size - headerBytes,
      'file',
    );
  }
  return {
    typeCode: head[2],
    dataType: type.name,
    itemBytes: type.bytes,
    dimensions,
    headerBytes,
    dataBytes,
  };
}
