import { crc32 } from 'node:zlib';
import { encodePng } from './png';

/** For tests: a w×h RGB PNG filled with one colour. */
export function testPng(width = 4, height = 3, rgb = [200, 10, 10]): Buffer {
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) pixels.set(rgb, i * 3);
  return encodePng(width, height, 3, pixels);
}

function segment(marker: number, body: Buffer) {
  const head = Buffer.alloc(4);
  head[0] = 0xff;
  head[1] = marker;
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

/**
 * For tests: a baseline JPEG's structure (SOI, JFIF, quantisation and frame headers of a w×h
 * greyscale image, a scan, EOI). The scan bytes are not a decodable picture: the portal checks
 * the marker structure and reads the size, it does not decode JPEG.
 */
export function testJpeg(width = 5, height = 7): Buffer {
  const frame = Buffer.from([8, 0, 0, 0, 0, 1, 1, 0x11, 0]);
  frame.writeUInt16BE(height, 1);
  frame.writeUInt16BE(width, 3);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    segment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)])),
    segment(0xc0, frame),
    segment(
      0xc4,
      Buffer.concat([Buffer.from([0]), Buffer.alloc(16), Buffer.alloc(0)]),
    ),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x12, 0x34, 0x56, 0xff, 0x00, 0x78]),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/**
 * For tests: a well-formed PNG (a 1×1 image's data) whose header declares `width`×`height`, as
 * an attacker's file would to make a reader allocate that many pixels.
 */
export function pngDeclaring(width: number, height: number): Buffer {
  const png = Buffer.from(testPng(1, 1));
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  // The IHDR chunk's CRC covers its type and data (bytes 12 to 29).
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}
