import { OipTensor } from './digitTensor';
import { TensorMetadata } from './inference';

const INTEGER_TYPES = [
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
];

/**
 * One row of a tabular model as OIP v2 inputs (one tensor of shape [1] per column), or the
 * problem per column.
 */
export function tabularRequest(
  inputs: TensorMetadata[],
  values: Record<string, string>,
): { tensors?: OipTensor[]; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const tensors = inputs.map(input => {
    const raw = (values[input.name] ?? '').trim();
    let value: number | string | boolean = raw;
    if (input.datatype === 'BOOL') {
      if (raw !== 'true' && raw !== 'false')
        problems[input.name] = 'true or false';
      value = raw === 'true';
    } else if (input.datatype !== 'BYTES') {
      const n = Number(raw);
      if (!raw || !Number.isFinite(n))
        problems[input.name] = 'A number is needed';
      else if (INTEGER_TYPES.includes(input.datatype) && !Number.isInteger(n)) {
        problems[input.name] = 'A whole number is needed';
      }
      value = n;
    }
    return {
      name: input.name,
      shape: [1],
      datatype: input.datatype,
      data: [value],
    };
  });
  return Object.keys(problems).length > 0
    ? { problems }
    : { tensors, problems };
}
