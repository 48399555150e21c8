/** Turning a drawn digit into the model's input, the way MNIST digits were prepared. */

export const DIGIT_SIZE = 28;
// MNIST digits fit a 20×20 box centred in the 28×28 image.
const DIGIT_BOX = 20;
const INK_THRESHOLD = 0.1;

/** Pixels as a canvas gives them (ImageData): RGBA bytes, row by row. */
export type RgbaPixels = {
  data: ArrayLike<number>;
  width: number;
  height: number;
};

export type OipTensor = {
  name: string;
  shape: number[];
  datatype: string;
  data: (number | string | boolean)[];
};

/** Ink in [0, 1] of one pixel: light strokes on a dark background, transparent counts as dark. */
function ink(pixels: RgbaPixels, x: number, y: number): number {
  const i = (y * pixels.width + x) * 4;
  const d = pixels.data;
  return ((d[i] + d[i + 1] + d[i + 2]) / 765) * (d[i + 3] / 255);
}

/**
 * 28×28 intensities in [0, 1], row by row: the drawing's bounding box scaled (area average)
 * so that its longer side is 20 pixels, centred; all zeros when nothing is drawn.
 */
export function digitIntensities(pixels: RgbaPixels): number[] {
  const { width, height } = pixels;
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink(pixels, x, y) > INK_THRESHOLD) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  const out = new Array<number>(DIGIT_SIZE * DIGIT_SIZE).fill(0);
  if (right < 0) return out;
  const boxW = right - left + 1;
  const boxH = bottom - top + 1;
  const scale = DIGIT_BOX / Math.max(boxW, boxH);
  const outW = Math.max(1, Math.round(boxW * scale));
  const outH = Math.max(1, Math.round(boxH * scale));
  const offsetX = Math.floor((DIGIT_SIZE - outW) / 2);
  const offsetY = Math.floor((DIGIT_SIZE - outH) / 2);
  for (let ty = 0; ty < outH; ty++) {
    const y0 = top + Math.floor((ty * boxH) / outH);
    const y1 = Math.max(y0 + 1, top + Math.floor(((ty + 1) * boxH) / outH));
    for (let tx = 0; tx < outW; tx++) {
      const x0 = left + Math.floor((tx * boxW) / outW);
      const x1 = Math.max(x0 + 1, left + Math.floor(((tx + 1) * boxW) / outW));
      let sum = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) sum += ink(pixels, x, y);
      }
      const value = sum / ((y1 - y0) * (x1 - x0));
      out[(offsetY + ty) * DIGIT_SIZE + offsetX + tx] = Math.min(1, value);
    }
  }
  return out;
}

/**
 * The shape of a 28×28 image input, as the model's metadata gives it ([-1, 1, 28, 28],
 * [-1, 28, 28] or [-1, 784]); undefined for any other input.
 */
export function imageInputShape(shape: number[]): number[] | undefined {
  const [batch, ...rest] = shape;
  if (batch !== -1 && batch !== 1) return undefined;
  const key = rest.join(',');
  return ['1,28,28', '28,28', '784'].includes(key) ? shape : undefined;
}

/** The drawing as the OIP v2 input tensor of one image, in the model's own shape. */
export function digitTensor(
  pixels: RgbaPixels,
  input: { name: string; shape: number[]; datatype: string },
): OipTensor {
  if (!imageInputShape(input.shape)) {
    throw new Error(
      `input ${input.name} has shape [${input.shape.join(
        ', ',
      )}], not a 28×28 image`,
    );
  }
  return {
    name: input.name,
    shape: input.shape.map(d => (d === -1 ? 1 : d)),
    datatype: input.datatype,
    data: digitIntensities(pixels),
  };
}
