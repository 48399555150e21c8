const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/** For tests: a .npy array (format 1.0) of `shape` and `descr` holding `data`. */
export function makeNpy(
  descr: string,
  shape: number[],
  data: Buffer,
  fortranOrder = false,
): Buffer {
  const shapeText =
    shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${
    fortranOrder ? 'True' : 'False'
  }, 'shape': ${shapeText}, }`;
  const padding = 64 - ((10 + dict.length + 1) % 64);
  dict = `${dict}${' '.repeat(padding % 64)}\n`;
  const head = Buffer.alloc(10);
  MAGIC.copy(head);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  return Buffer.concat([head, Buffer.from(dict, 'latin1'), data]);
}
