import { inferUrl, TensorMetadata } from './inference';

export const KEY_PLACEHOLDER = '<YOUR_API_KEY>';

/** A request input of one example, zeros (or "") as data, for the snippets. */
function exampleInput(input: TensorMetadata) {
  const shape = input.shape.map(d => (d === -1 ? 1 : d));
  const count = shape.reduce((a, b) => a * b, 1);
  const zero = input.datatype === 'BYTES' ? '' : 0;
  return {
    name: input.name,
    shape,
    datatype: input.datatype,
    data: new Array(count).fill(zero),
  };
}

const UNKNOWN_INPUT: TensorMetadata = {
  name: 'input-0',
  shape: [-1, 4],
  datatype: 'FP32',
};

/** curl and Python calls of the infer route, with a placeholder where the key goes. */
export function inferSnippets(options: {
  endpoint: string;
  modelName: string;
  inputs?: TensorMetadata[];
}): { curl: string; python: string } {
  const url = inferUrl(options.endpoint, options.modelName);
  const inputs = (
    options.inputs?.length ? options.inputs : [UNKNOWN_INPUT]
  ).map(exampleInput);
  const body = JSON.stringify({ inputs });
  const curl = [
    `curl -sS -X POST '${url}' \\`,
    `  -H 'Authorization: Bearer ${KEY_PLACEHOLDER}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${body}'`,
  ].join('\n');
  const pythonInputs = inputs
    .map(
      i =>
        `        {"name": ${JSON.stringify(i.name)}, "shape": ${JSON.stringify(
          i.shape,
        )}, "datatype": ${JSON.stringify(i.datatype)}, "data": [${
          i.datatype === 'BYTES' ? '""' : '0'
        }] * ${i.data.length}},`,
    )
    .join('\n');
  const python = [
    'import requests',
    '',
    `API_KEY = "${KEY_PLACEHOLDER}"`,
    `URL = "${url}"`,
    '',
    'request = {',
    '    "inputs": [',
    pythonInputs,
    '    ]',
    '}',
    'response = requests.post(',
    '    URL, json=request, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30',
    ')',
    'response.raise_for_status()',
    'print(response.headers.get("X-Model-Version"), response.json()["outputs"])',
  ].join('\n');
  return { curl, python };
}
