import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { aDeployment } from '../../testing/fixtures';
import { TryItCard } from './TryItCard';

const MODEL_URL = 'http://127.0.0.1:8000/mnist-prod/v2/models/mnist-prod';

/** A canvas context whose pixels hold a white vertical bar: what drawing a "1" leaves. */
function fakeCanvasContext() {
  const width = 280;
  const height = 280;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const inked = x >= 130 && x < 150 && y >= 40 && y < 240;
      data[i] = data[i + 1] = data[i + 2] = inked ? 255 : 0;
      data[i + 3] = 255;
    }
  }
  return {
    fillRect: jest.fn(),
    beginPath: jest.fn(),
    moveTo: jest.fn(),
    lineTo: jest.fn(),
    stroke: jest.fn(),
    getImageData: jest.fn(() => ({ data, width, height })),
  } as unknown as CanvasRenderingContext2D;
}

function answer(body: unknown, status = 200) {
  return {
    ok: status < 400,
    status,
    statusText: '',
    headers: new Map<string, string>(),
    text: async () => JSON.stringify(body),
  } as unknown as Response;
}

describe('TryItCard', () => {
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
    jest.restoreAllMocks();
  });

  it('sends the drawn digit as a [1, 1, 28, 28] tensor with the key and shows the probabilities', async () => {
    jest
      .spyOn(HTMLCanvasElement.prototype, 'getContext')
      .mockImplementation(() => fakeCanvasContext() as any);
    const fetchMock = jest
      .fn()
      .mockResolvedValueOnce(
        answer({
          name: 'mnist-prod',
          versions: ['3'],
          platform: 'mlflow',
          inputs: [
            { name: 'input-0', datatype: 'FP32', shape: [-1, 1, 28, 28] },
          ],
          outputs: [{ name: 'output-0', datatype: 'FP32', shape: [-1, 10] }],
        }),
      )
      .mockResolvedValueOnce(
        answer({
          model_name: 'mnist-prod',
          model_version: '3',
          outputs: [
            {
              name: 'output-0',
              shape: [1, 10],
              datatype: 'FP32',
              data: [0, 9, 0, 0, 0, 0, 0, 1, 0, 0],
            },
          ],
        }),
      );
    globalThis.fetch = fetchMock;
    await renderInTestApp(<TryItCard deployment={aDeployment()} />);

    await userEvent.type(screen.getByLabelText('API key'), 'mlops_abc');
    await userEvent.click(screen.getByRole('button', { name: 'Load model' }));
    expect(
      await screen.findByLabelText('Draw a digit here'),
    ).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledWith(MODEL_URL, {
      headers: { Authorization: 'Bearer mlops_abc' },
    });

    await userEvent.click(screen.getByRole('button', { name: 'Predict' }));
    expect(await screen.findByText(/^Predicted: 1 \(/)).toBeInTheDocument();
    expect(screen.getByText('Answered by version 3')).toBeInTheDocument();
    const [url, init] = fetchMock.mock.calls[1];
    expect(url).toBe(`${MODEL_URL}/infer`);
    expect(init.method).toBe('POST');
    expect(init.headers.Authorization).toBe('Bearer mlops_abc');
    const [tensor] = JSON.parse(init.body).inputs;
    expect(tensor.shape).toEqual([1, 1, 28, 28]);
    expect(tensor.datatype).toBe('FP32');
    expect(tensor.data).toHaveLength(784);
    expect(Math.max(...tensor.data)).toBe(1);
  });

  it('says what to do when the browser cannot call the endpoint (CORS)', async () => {
    globalThis.fetch = jest
      .fn()
      .mockRejectedValue(new TypeError('Failed to fetch'));
    await renderInTestApp(<TryItCard deployment={aDeployment()} />);

    await userEvent.type(screen.getByLabelText('API key'), 'mlops_abc');
    await userEvent.click(screen.getByRole('button', { name: 'Load model' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(`The browser could not call ${MODEL_URL}`);
    expect(alert).toHaveTextContent('(CORS)');
    expect(alert).toHaveTextContent('Use the curl or Python snippet below');
  });

  it("shows the endpoint's refusal of a bad key", async () => {
    globalThis.fetch = jest
      .fn()
      .mockResolvedValue(answer({ error: 'unknown API key' }, 401));
    await renderInTestApp(<TryItCard deployment={aDeployment()} />);

    await userEvent.type(screen.getByLabelText('API key'), 'mlops_wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Load model' }));

    await waitFor(() =>
      expect(screen.getByRole('alert')).toHaveTextContent(
        '401: unknown API key. Check the key: it may be mistyped, revoked or expired.',
      ),
    );
  });
});
