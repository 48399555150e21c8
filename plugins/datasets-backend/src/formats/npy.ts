import { InputError } from '@backstage/errors';
import { checkDataLength } from './errors';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
/** Headers are short dicts; anything longer than this is not a real .npy file. */
export const NPY_HEADER_MAX_BYTES = 64 * 1024;
const MAX_DIMENSIONS = 32;

/** Element types the portal reads: bool, signed/unsigned integers, floats, fixed strings. */
export type NpyDtype = {
  /** numpy's descr, e.g. "<u1", "<f4", "<U5". */
  descr: string;
  kind: 'b' | 'i' | 'u' | 'f' | 'U' | 'S';
  itemBytes: number;
  littleEndian: boolean;
};

export type NpyHeader = {
  dtype: NpyDtype;
  shape: number[];
  fortranOrder: boolean;
  /** Magic, version, length field and the header dict. */
  headerBytes: number;
  dataBytes: number;
};

function parseDtype(descr: string, problem: (m: string) => Error): NpyDtype {
  const match = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (!match) {
    throw problem(`unsupported dtype '${descr}'`);
  }
  const [, order, kind, size] = match;
  if (kind === 'O') {
    throw problem(
      "holds Python objects (dtype 'O'); reading them would mean unpickling, which the portal never does: save the array with a numeric or string dtype",
    );
  }
  const bytes = Number(size);
  const allowed: Record<string, number[]> = {
    b: [1],
    i: [1, 2, 4, 8],
    u: [1, 2, 4, 8],
    f: [2, 4, 8],
  };
  const fixedSize = allowed[kind];
  const isString = kind === 'U' || kind === 'S';
  if ((!fixedSize && !isString) || (fixedSize && !fixedSize.includes(bytes))) {
    throw problem(
      `unsupported dtype '${descr}': supported are bool, (u)int8-64, float16-64 and fixed-length strings`,
    );
  }
  if (isString && !(bytes > 0)) {
    throw problem(
      `unsupported dtype '${descr}': a string dtype needs a length`,
    );
  }
  return {
    descr,
    kind: kind as NpyDtype['kind'],
    // numpy's 'U' length counts UTF-32 characters.
    itemBytes: kind === 'U' ? 4 * bytes : bytes,
    littleEndian: order !== '>',
  };
}

/** The value of `key` in numpy's header dict, a Python literal. */
function field(dict: string, key: string): string | undefined {
  const match = new RegExp(
    `['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\)|\\[)`,
  ).exec(dict);
  return match?.[1];
}

/**
 * Reads and checks a .npy header (magic, version, dtype, shape, memory order) from the first bytes
 * of an array; `size`, when known, must be exactly the header plus the data the header declares.
 * `problem` prefixes messages with the array's name.
 */
export function parseNpyHeader(
  head: Buffer,
  problem: (message: string) => Error,
  size?: number,
): NpyHeader {
  if (head.length < 10 || !head.subarray(0, 6).equals(MAGIC)) {
    throw problem(
      head.length < 10
        ? `truncated: ${head.length} bytes, shorter than a .npy header`
        : 'not a .npy array (bad magic number)',
    );
  }
  const major = head[6];
  if (major < 1 || major > 3) {
    throw problem(`unknown .npy format version ${major}.${head[7]}`);
  }
  const lengthBytes = major === 1 ? 2 : 4;
  const dictLength = major === 1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
  const headerBytes = 8 + lengthBytes + dictLength;
  if (headerBytes > NPY_HEADER_MAX_BYTES) {
    throw problem(`header of ${dictLength} bytes is too long`);
  }
  if (head.length < headerBytes) {
    throw problem(
      `truncated header: it declares ${dictLength} bytes, the array has ${
        head.length - 8 - lengthBytes
      }`,
    );
  }
  const dict = head
    .subarray(8 + lengthBytes, headerBytes)
    .toString(major === 3 ? 'utf8' : 'latin1');
  const descr = field(dict, 'descr');
  const fortran = field(dict, 'fortran_order');
  const shapeText = field(dict, 'shape');
  if (!descr || !fortran || !shapeText) {
    throw problem(
      "header is not a dict with 'descr', 'fortran_order' and 'shape'",
    );
  }
  if (descr === '[') {
    throw problem('structured dtypes (records) are not supported');
  }
  const dtype = parseDtype(descr.slice(1, -1), problem);
  const items = shapeText
    .slice(1, -1)
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
  if (items.length > MAX_DIMENSIONS || !items.every(s => /^\d+L?$/.test(s))) {
    throw problem(`invalid shape ${shapeText}`);
  }
  const shape = items.map(s => Number.parseInt(s, 10));
  const count = shape.reduce((a, b) => a * b, 1);
  const dataBytes = count * dtype.itemBytes;
  if (!Number.isSafeInteger(dataBytes)) {
    throw problem(`shape ${shapeText} is too large`);
  }
  if (size !== undefined) {
    checkDataLength(
      problem,
      `shape (${shape.join(', ')}) ${dtype.descr}`,
      dataBytes,
      size - headerBytes,
      'array',
    );
  }
  return {
    dtype,
    shape,
    fortranOrder: fortran === 'True',
    headerBytes,
    dataBytes,
  };
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Decodes the elements of `data` (whole elements of `dtype`, in file order). */
export function npyValues(
  dtype: NpyDtype,
  data: Buffer,
): (number | string | boolean)[] {
  const { kind, itemBytes: n, littleEndian: le } = dtype;
  const count = Math.floor(data.length / n);
  const read = (i: number): number | string | boolean => {
    const o = i * n;
    switch (kind) {
      case 'b':
        return data[o] !== 0;
      case 'i':
        if (n === 8)
          return Number(le ? data.readBigInt64LE(o) : data.readBigInt64BE(o));
        return le ? data.readIntLE(o, n) : data.readIntBE(o, n);
      case 'u':
        if (n === 8)
          return Number(le ? data.readBigUInt64LE(o) : data.readBigUInt64BE(o));
        return le ? data.readUIntLE(o, n) : data.readUIntBE(o, n);
      case 'f':
        if (n === 2)
          return halfToNumber(le ? data.readUInt16LE(o) : data.readUInt16BE(o));
        if (n === 4) return le ? data.readFloatLE(o) : data.readFloatBE(o);
        return le ? data.readDoubleLE(o) : data.readDoubleBE(o);
      case 'S':
        return data
          .subarray(o, o + n)
          .toString('latin1')
          .replace(/\0+$/, '');
      default: {
        // 'U': UTF-32 code points, NUL padded.
        let text = '';
        for (let c = 0; c < n / 4; c++) {
          const point = le
            ? data.readUInt32LE(o + 4 * c)
            : data.readUInt32BE(o + 4 * c);
          if (point === 0) break;
          text += String.fromCodePoint(Math.min(point, 0x10ffff));
        }
        return text;
      }
    }
  };
  return Array.from({ length: count }, (_, i) => read(i));
}

export const npyProblem = (file: string, array: string) => (message: string) =>
  new InputError(`NPZ file '${file}': array '${array}': ${message}`);
