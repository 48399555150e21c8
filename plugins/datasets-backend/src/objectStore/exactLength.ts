import { InputError } from '@backstage/errors';
import { Transform } from 'node:stream';

/** Passes a stream through, failing unless it has exactly `size` bytes. */
export function exactLength(size: number, what: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > size) {
        callback(new InputError(`${what} has more than ${size} bytes`));
        return;
      }
      callback(null, chunk);
    },
    flush(callback) {
      callback(
        seen === size
          ? null
          : new InputError(`${what} has ${seen} bytes, expected ${size}`),
      );
    },
  });
}
