import { InputError } from '@backstage/errors';
import { npyValues, parseNpyHeader } from './npy';
import { makeNpy } from './testNpy';

const problem = (m: string) => new InputError(`x: ${m}`);

describe('parseNpyHeader', () => {
  it('reads dtype, shape and memory order and checks the data length', () => {
    const array = makeNpy('<u1', [2, 3, 4], Buffer.alloc(24, 7));
    const header = parseNpyHeader(array, problem, array.length);
    expect(header).toMatchObject({
      dtype: { descr: '<u1', kind: 'u', itemBytes: 1, littleEndian: true },
      shape: [2, 3, 4],
      fortranOrder: false,
      dataBytes: 24,
    });
    expect(header.headerBytes % 64).toBe(0);
    expect(array.subarray(header.headerBytes).equals(Buffer.alloc(24, 7))).toBe(
      true,
    );

    const fortran = makeNpy('>f8', [3], Buffer.alloc(24), true);
    expect(parseNpyHeader(fortran, problem)).toMatchObject({
      dtype: { kind: 'f', itemBytes: 8, littleEndian: false },
      shape: [3],
      fortranOrder: true,
    });
    const scalar = makeNpy('<i4', [], Buffer.alloc(4));
    expect(parseNpyHeader(scalar, problem, scalar.length).shape).toEqual([]);
    const strings = makeNpy('<U3', [2], Buffer.alloc(24));
    expect(parseNpyHeader(strings, problem, strings.length).dataBytes).toBe(24);
  });

  it.each([
    [
      'a pickled object array',
      makeNpy('|O', [2], Buffer.alloc(16)),
      "holds Python objects (dtype 'O'); reading them would mean unpickling",
    ],
    [
      'a truncated array',
      makeNpy('<i4', [10], Buffer.alloc(12)),
      'truncated: the header declares shape (10) <i4 (40 data bytes) but the array has 12',
    ],
    [
      'trailing bytes',
      makeNpy('<u1', [2], Buffer.alloc(5)),
      '3 bytes after the shape (2) <u1 data the header declares',
    ],
    [
      'a complex dtype',
      makeNpy('<c16', [1], Buffer.alloc(16)),
      "unsupported dtype '<c16'",
    ],
    ['not an array', Buffer.from('PK\x03\x04 not numpy at all'), 'bad magic'],
    ['a short file', Buffer.from([0x93, 0x4e]), 'truncated: 2 bytes'],
    [
      'a cut header',
      makeNpy('<u1', [1], Buffer.alloc(1)).subarray(0, 40),
      'truncated header',
    ],
  ])('refuses %s', (_what, bytes, message) => {
    expect(() => parseNpyHeader(bytes, problem, bytes.length)).toThrow(message);
  });

  it('refuses structured dtypes', () => {
    const dict =
      "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }\n";
    const head = Buffer.alloc(10);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
    head.writeUInt16LE(dict.length, 8);
    const bytes = Buffer.concat([head, Buffer.from(dict), Buffer.alloc(4)]);
    expect(() => parseNpyHeader(bytes, problem)).toThrow(
      'structured dtypes (records) are not supported',
    );
  });
});

describe('npyValues', () => {
  it('decodes every supported dtype', () => {
    const i8 = Buffer.alloc(16);
    i8.writeBigInt64LE(-5n, 0);
    i8.writeBigInt64LE(2n ** 40n, 8);
    const be = Buffer.alloc(8);
    be.writeInt32BE(-2, 0);
    be.writeInt32BE(300, 4);
    const f2 = Buffer.alloc(6);
    f2.writeUInt16LE(0x3c00, 0); // 1
    f2.writeUInt16LE(0xc000, 2); // -2
    f2.writeUInt16LE(0x3800, 4); // 0.5
    const u = Buffer.alloc(24);
    'cat'.split('').forEach((c, i) => u.writeUInt32LE(c.charCodeAt(0), i * 4));
    u.writeUInt32LE('o'.charCodeAt(0), 12);
    const dtype = (descr: string, kind: any, itemBytes: number, le = true) => ({
      descr,
      kind,
      itemBytes,
      littleEndian: le,
    });
    expect(npyValues(dtype('<i8', 'i', 8), i8)).toEqual([-5, 2 ** 40]);
    expect(npyValues(dtype('>i4', 'i', 4, false), be)).toEqual([-2, 300]);
    expect(npyValues(dtype('<f2', 'f', 2), f2)).toEqual([1, -2, 0.5]);
    expect(npyValues(dtype('|b1', 'b', 1), Buffer.from([0, 1, 2]))).toEqual([
      false,
      true,
      true,
    ]);
    expect(npyValues(dtype('<U3', 'U', 12), u)).toEqual(['cat', 'o']);
    expect(
      npyValues(dtype('|S2', 'S', 2), Buffer.from('ab\0\0c\0', 'latin1')),
    ).toEqual(['ab', '', 'c']);
  });
});
