import { InputError } from '@backstage/errors';
import { crc32 } from 'node:zlib';

export const PNG_MAGIC = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
]);
export const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);
export const IMAGE_NAME = /\.(png|jpe?g)$/i;
/** Width and height sit in the first bytes of a PNG; a JPEG's frame header may follow EXIF data. */
export const IMAGE_HEADER_MAX_BYTES = 256 * 1024;

/** Largest image accepted in a dataset; training decodes every image whole into memory. */
export type ImageLimits = {
  /** Most pixels (width × height) of one image. */
  maxPixels: number;
  maxWidth: number;
  maxHeight: number;
};

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxPixels: 50_000_000,
  maxWidth: 16_384,
  maxHeight: 16_384,
};

export type ImageInfo = {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
};

const PNG_COLOR_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

/**
 * Checks a PNG's structure: signature, IHDR first with a valid size, colour type and bit depth,
 * every chunk complete with a correct CRC, image data present, IEND last. With `headerOnly`,
 * only the signature and IHDR (from the first bytes of the file) are read.
 */
function checkPng(
  bytes: Buffer,
  problem: (m: string) => Error,
  headerOnly: boolean,
): ImageInfo {
  if (bytes.length < 33 || bytes.toString('ascii', 12, 16) !== 'IHDR') {
    throw problem('truncated or missing PNG header (IHDR)');
  }
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const depth = bytes[24];
  const colorType = bytes[25];
  if (width === 0 || height === 0 || width > 2 ** 31 || height > 2 ** 31) {
    throw problem(`invalid size ${width}x${height}`);
  }
  if (!PNG_COLOR_DEPTHS[colorType]?.includes(depth)) {
    throw problem(`invalid colour type ${colorType} with bit depth ${depth}`);
  }
  if (headerOnly) return { format: 'png', width, height };
  let offset = 8;
  let sawData = false;
  for (;;) {
    if (offset + 12 > bytes.length) {
      throw problem('truncated: the file ends before the IEND chunk');
    }
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > bytes.length) {
      throw problem(`truncated: chunk ${type} runs past the end of the file`);
    }
    const crc = bytes.readUInt32BE(end - 4);
    if (crc32(bytes.subarray(offset + 4, end - 4)) !== crc) {
      throw problem(`chunk ${type} is corrupt (CRC mismatch)`);
    }
    if (type === 'IDAT') sawData = true;
    offset = end;
    if (type === 'IEND') break;
  }
  if (!sawData) throw problem('it has no image data (IDAT)');
  return { format: 'png', width, height };
}

/** Start-of-frame markers, which carry the size: C0-CF but DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number) {
  return (
    marker >= 0xc0 &&
    marker <= 0xcf &&
    marker !== 0xc4 &&
    marker !== 0xc8 &&
    marker !== 0xcc
  );
}

/**
 * Walks a JPEG's marker segments up to the scan data: SOI, a frame header with a valid size, a
 * start of scan, and (unless `headerOnly`) an EOI marker after the scan.
 */
function checkJpeg(
  bytes: Buffer,
  problem: (m: string) => Error,
  headerOnly: boolean,
): ImageInfo {
  let offset = 2;
  let size: { width: number; height: number } | undefined;
  for (;;) {
    if (offset + 4 > bytes.length) {
      throw problem('truncated: the file ends inside its headers');
    }
    if (bytes[offset] !== 0xff) {
      throw problem(`corrupt: no marker at byte ${offset}`);
    }
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    if (length < 2) throw problem(`corrupt: segment length ${length}`);
    if (isStartOfFrame(marker)) {
      if (offset + 9 > bytes.length) {
        throw problem('truncated: the file ends inside its frame header');
      }
      const height = bytes.readUInt16BE(offset + 5);
      const width = bytes.readUInt16BE(offset + 7);
      if (width === 0 || height === 0) {
        throw problem(`invalid size ${width}x${height}`);
      }
      size = { width, height };
      if (headerOnly) return { format: 'jpeg', ...size };
    }
    if (marker === 0xda) break; // start of scan: entropy-coded data follows
    if (marker === 0xd9) throw problem('it ends before any image data');
    offset += 2 + length;
  }
  if (!size) throw problem('it has no frame header (SOF)');
  if (headerOnly) return { format: 'jpeg', ...size };
  if (bytes.lastIndexOf(Buffer.from([0xff, 0xd9])) <= offset) {
    throw problem('truncated: the end-of-image marker (EOI) is missing');
  }
  return { format: 'jpeg', ...size };
}

/**
 * The format and size of a PNG or JPEG image, checking its structure (`headerOnly`: from its
 * first bytes only); 400 naming the problem when it is not a valid image of the type its name says.
 */
export function imageInfo(
  name: string,
  bytes: Buffer,
  headerOnly = false,
): ImageInfo {
  const isPng = /\.png$/i.test(name);
  const type = isPng ? 'PNG' : 'JPEG';
  const problem = (m: string) =>
    new InputError(`Image '${name}' is not a valid ${type} file: ${m}`);
  const magic = isPng ? PNG_MAGIC : JPEG_MAGIC;
  if (!bytes.subarray(0, magic.length).equals(magic)) {
    throw new InputError(
      `Image '${name}' is not a ${type} file (wrong signature)`,
    );
  }
  return isPng
    ? checkPng(bytes, problem, headerOnly)
    : checkJpeg(bytes, problem, headerOnly);
}

/** 400 naming the image and the limit when the image is larger than `limits` allow. */
export function checkImageSize(
  name: string,
  { width, height }: ImageInfo,
  limits: ImageLimits,
) {
  const problem = (m: string) =>
    new InputError(`Image '${name}' is ${width}x${height} pixels: ${m}`);
  if (width > limits.maxWidth) {
    throw problem(`wider than the limit of ${limits.maxWidth} pixels`);
  }
  if (height > limits.maxHeight) {
    throw problem(`taller than the limit of ${limits.maxHeight} pixels`);
  }
  if (width * height > limits.maxPixels) {
    throw problem(
      `${width * height} pixels, more than the limit of ${
        limits.maxPixels
      } pixels per image`,
    );
  }
}
