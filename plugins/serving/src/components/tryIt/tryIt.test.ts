import {
  digitIntensities,
  digitTensor,
  imageInputShape,
  RgbaPixels,
} from './digitTensor';
import { inferUrl, toProbabilities } from './inference';
import { inferSnippets, KEY_PLACEHOLDER } from './snippets';
import { tabularRequest } from './tabularInputs';

/** A black 280×280 RGBA canvas with a white rectangle [x0, x1) × [y0, y1). */
function canvasWith(rect?: [number, number, number, number]): RgbaPixels {
  const width = 280;
  const height = 280;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  if (rect) {
    const [x0, x1, y0, y1] = rect;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = (y * width + x) * 4;
        data[i] = data[i + 1] = data[i + 2] = 255;
      }
    }
  }
  return { data, width, height };
}

const at = (pixels: number[], x: number, y: number) => pixels[y * 28 + x];

describe('digitTensor', () => {
  it('turns a drawn vertical stroke into one 28×28 image in the shape [-1, 1, 28, 28] asks for', () => {
    // A stroke 20 px wide, 200 px tall, off to the left and top of the canvas.
    const tensor = digitTensor(canvasWith([40, 60, 20, 220]), {
      name: 'input-0',
      shape: [-1, 1, 28, 28],
      datatype: 'FP32',
    });

    expect(tensor.shape).toEqual([1, 1, 28, 28]);
    expect(tensor.datatype).toBe('FP32');
    expect(tensor.data).toHaveLength(784);
    const pixels = tensor.data as number[];
    expect(Math.min(...pixels)).toBe(0);
    expect(Math.max(...pixels)).toBe(1);
    // Scaled to 20 px tall and centred: rows 4..23 hold ink in the middle columns.
    expect(at(pixels, 14, 4)).toBe(1);
    expect(at(pixels, 14, 23)).toBe(1);
    expect(at(pixels, 14, 3)).toBe(0);
    expect(at(pixels, 14, 24)).toBe(0);
    expect(at(pixels, 2, 14)).toBe(0);
    expect(at(pixels, 25, 14)).toBe(0);
    // Only the middle two columns are inked (20 × 2 pixels).
    expect(pixels.filter(p => p > 0)).toHaveLength(40);
  });

  it('follows a flat [-1, 784] input and gives zeros for an empty canvas', () => {
    const tensor = digitTensor(canvasWith(), {
      name: 'pixels',
      shape: [-1, 784],
      datatype: 'FP64',
    });
    expect(tensor.shape).toEqual([1, 784]);
    expect(tensor.data).toEqual(new Array(784).fill(0));
  });

  it('averages partly inked pixels into grey levels', () => {
    // Dots in two corners make the box the whole canvas: one target pixel covers 14 × 14.
    const canvas = canvasWith([14, 21, 14, 28]);
    const data = canvas.data as Uint8ClampedArray;
    for (const i of [0, (279 * 280 + 279) * 4]) {
      data[i] = data[i + 1] = data[i + 2] = 255;
    }
    const pixels = digitIntensities(canvas);
    // Half of target pixel (1, 1), placed at (4 + 1, 4 + 1), is inked.
    expect(at(pixels, 5, 5)).toBeCloseTo(0.5, 6);
    expect(pixels.every(p => p >= 0 && p <= 1)).toBe(true);
  });

  it('refuses an input that is not a 28×28 image', () => {
    expect(imageInputShape([-1, 4])).toBeUndefined();
    expect(imageInputShape([-1, 3, 28, 28])).toBeUndefined();
    expect(imageInputShape([-1, 28, 28])).toEqual([-1, 28, 28]);
    expect(() =>
      digitTensor(canvasWith(), {
        name: 'x',
        shape: [-1, 4],
        datatype: 'FP32',
      }),
    ).toThrow('input x has shape [-1, 4], not a 28×28 image');
  });
});

describe('toProbabilities', () => {
  it('applies softmax to logits and keeps probabilities as they are', () => {
    const p = toProbabilities([2, 0, 0]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(p[0]).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 2), 6);
    expect(toProbabilities([0.1, 0.9])).toEqual([0.1, 0.9]);
  });
});

describe('inferSnippets', () => {
  it('call the infer route of the endpoint and model with a key placeholder', () => {
    const { curl, python } = inferSnippets({
      endpoint: 'http://10.0.0.5:8000/mnist-prod',
      modelName: 'mnist-prod',
      inputs: [{ name: 'input-0', shape: [-1, 1, 28, 28], datatype: 'FP32' }],
    });
    const url = 'http://10.0.0.5:8000/mnist-prod/v2/models/mnist-prod/infer';
    expect(inferUrl('http://10.0.0.5:8000/mnist-prod/', 'mnist-prod')).toBe(
      url,
    );
    for (const snippet of [curl, python]) {
      expect(snippet).toContain(url);
      expect(snippet).toContain(KEY_PLACEHOLDER);
    }
    expect(curl).toContain("-H 'Authorization: Bearer <YOUR_API_KEY>'");
    const body = JSON.parse(curl.split("-d '")[1].replace(/'$/, ''));
    expect(body.inputs[0]).toMatchObject({
      name: 'input-0',
      shape: [1, 1, 28, 28],
      datatype: 'FP32',
    });
    expect(body.inputs[0].data).toHaveLength(784);
    expect(python).toContain(
      '{"name": "input-0", "shape": [1,1,28,28], "datatype": "FP32", "data": [0] * 784}',
    );
  });
});

describe('tabularRequest', () => {
  const inputs = [
    { name: 'sepal_length', shape: [-1], datatype: 'FP64' },
    { name: 'petals', shape: [-1], datatype: 'INT64' },
    { name: 'species_hint', shape: [-1], datatype: 'BYTES' },
  ];

  it('gives one [1] tensor per column, typed as the signature says', () => {
    expect(
      tabularRequest(inputs, {
        sepal_length: '5.1',
        petals: '3',
        species_hint: 'setosa',
      }).tensors,
    ).toEqual([
      { name: 'sepal_length', shape: [1], datatype: 'FP64', data: [5.1] },
      { name: 'petals', shape: [1], datatype: 'INT64', data: [3] },
      { name: 'species_hint', shape: [1], datatype: 'BYTES', data: ['setosa'] },
    ]);
  });

  it('names the columns that are not numbers', () => {
    expect(
      tabularRequest(inputs, { sepal_length: 'abc', petals: '2.5' }),
    ).toEqual({
      problems: {
        sepal_length: 'A number is needed',
        petals: 'A whole number is needed',
      },
    });
  });
});
