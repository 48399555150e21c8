/**
 * Calls to the deployment's inference API (Open Inference Protocol v2) straight from the browser.
 *
 * Inference does not pass through the Backstage backend, so these requests go to another
 * origin (the Ray Serve HTTP proxy). The browser only lets the page read the answers when that
 * origin allows this page's origin (CORS: `Access-Control-Allow-Origin`, and for the
 * `Authorization` header a preflight answered with `Access-Control-Allow-Headers`). Where it
 * does not, fetch fails without a status: the error below says so and points at the snippets,
 * which are not subject to CORS. Plain `fetch` is used on purpose: Backstage's fetchApi would
 * add the user's Backstage token, which must not reach another server.
 */

export type TensorMetadata = {
  name: string;
  datatype: string;
  shape: number[];
};

export type ModelMetadata = {
  name: string;
  versions?: string[];
  platform?: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
};

export type InferenceOutput = {
  name: string;
  shape: number[];
  datatype: string;
  data: (number | string | boolean)[];
};

export type InferenceResponse = {
  model_name: string;
  model_version?: string;
  outputs: InferenceOutput[];
};

export function modelUrl(endpoint: string, modelName: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v2/models/${encodeURIComponent(
    modelName,
  )}`;
}

export function inferUrl(endpoint: string, modelName: string): string {
  return `${modelUrl(endpoint, modelName)}/infer`;
}

function blockedMessage(url: string): string {
  return (
    `The browser could not call ${url}. Either the endpoint is not reachable from your ` +
    `browser, or Ray Serve does not allow calls from this page (${window.location.origin}): ` +
    'the browser blocks cross-origin answers unless the server allows them (CORS). ' +
    'Use the curl or Python snippet below from a terminal, or ask the platform team to allow ' +
    'this origin on the Serve ingress (or to put the endpoint behind the same origin).'
  );
}

function statusHint(status: number, retryAfter: string | null): string {
  if (status === 401) {
    return ' Check the key: it may be mistyped, revoked or expired.';
  }
  if (status === 429) {
    return ` The key is over its rate limit${
      retryAfter ? `: retry in ${retryAfter} s` : ''
    }.`;
  }
  return '';
}

async function callServe<T>(
  url: string,
  key: string,
  init: RequestInit = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: {
        ...(init.body ? { 'Content-Type': 'application/json' } : {}),
        Authorization: `Bearer ${key}`,
      },
    });
  } catch {
    throw new Error(blockedMessage(url));
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const said =
      (parsed as { error?: string } | undefined)?.error ??
      (text || response.statusText);
    throw new Error(
      `${response.status}: ${said}.${statusHint(
        response.status,
        response.headers.get('Retry-After'),
      )}`,
    );
  }
  return parsed as T;
}

export function fetchModelMetadata(
  endpoint: string,
  modelName: string,
  key: string,
): Promise<ModelMetadata> {
  return callServe(modelUrl(endpoint, modelName), key);
}

export function infer(
  endpoint: string,
  modelName: string,
  key: string,
  inputs: unknown[],
): Promise<InferenceResponse> {
  return callServe(inferUrl(endpoint, modelName), key, {
    method: 'POST',
    body: JSON.stringify({ inputs }),
  });
}

/** Class probabilities from the model's output: kept when they already are, softmax otherwise (logits, log-probabilities). */
export function toProbabilities(values: number[]): number[] {
  const sum = values.reduce((a, b) => a + b, 0);
  if (values.every(v => v >= 0 && v <= 1) && Math.abs(sum - 1) < 1e-3) {
    return values;
  }
  const max = Math.max(...values);
  const exps = values.map(v => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map(e => e / total);
}
