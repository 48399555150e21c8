import { InputError } from '@backstage/errors';
import { CreateTrainingJobRequest } from '@internal/backstage-plugin-experiments-common';
import { unsafeCharacterIn } from '@internal/backstage-plugin-mlops-common';
import Ajv, { ErrorObject } from 'ajv';
import { autoTuneRequestSchema } from '../tune/resolveAutoTune';

const ajv = new Ajv({ allErrors: true, strict: true });

const validateRequestBody = ajv.compile<CreateTrainingJobRequest>({
  type: 'object',
  additionalProperties: false,
  required: ['templateId', 'datasetId'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255 },
    templateId: { type: 'string', minLength: 1, maxLength: 255 },
    datasetId: { type: 'string', minLength: 1, maxLength: 255 },
    datasetVersion: { type: 'string', minLength: 1, maxLength: 255 },
    hyperparameters: { type: 'object' },
    seed: { type: 'integer', minimum: 0, maximum: 2147483647 },
    cluster: { type: 'string', minLength: 1, maxLength: 255 },
    resources: {
      type: 'object',
      additionalProperties: false,
      properties: {
        numWorkers: { type: 'integer', minimum: 1, maximum: 64 },
        cpusPerWorker: { type: 'number', exclusiveMinimum: 0, maximum: 256 },
        useGpu: { type: 'boolean' },
      },
    },
    owner: { type: 'string', pattern: '^(group|user):[^/\\s]+/[^/\\s]+$' },
    project: { type: 'string', minLength: 1, maxLength: 255 },
    autoTune: autoTuneRequestSchema,
  },
});

/** The body of `POST /jobs`, or an InputError naming every invalid field. */
export function parseCreateRequest(body: unknown): CreateTrainingJobRequest {
  if (validateRequestBody(body)) {
    const unsafe =
      body.name === undefined ? undefined : unsafeCharacterIn(body.name);
    if (unsafe) {
      throw invalidJob([`name must not contain a ${unsafe}`]);
    }
    return body;
  }
  throw invalidJob(describeErrors(validateRequestBody.errors ?? [], ''));
}

/** The problems of ajv errors, one per field, each starting with the field's name. */
export function describeErrors(
  errors: ErrorObject[],
  prefix: string,
  unknownKey = (field: string) => `${field} is not allowed`,
): string[] {
  const problems = errors.map(error => {
    const base = [prefix, ...error.instancePath.split('/').filter(Boolean)]
      .filter(Boolean)
      .join('.');
    const field = (key: string) => (base ? `${base}.${key}` : key);
    switch (error.keyword) {
      case 'required':
        return `${field(error.params.missingProperty)} is required`;
      case 'additionalProperties':
        return unknownKey(field(error.params.additionalProperty));
      default:
        return `${base || 'the body'} ${error.message}`;
    }
  });
  return [...new Set(problems)];
}

export function invalidJob(problems: string[]): InputError {
  return new InputError(`Invalid training job: ${problems.join('; ')}`);
}

/** The dataset filter of `GET /jobs`; InputError for a repeated, empty or lone version filter. */
export function parseJobListFilter(query: Record<string, unknown>): {
  datasetId?: string;
  datasetVersion?: string;
} {
  const value = (key: 'datasetId' | 'datasetVersion') => {
    const given = query[key];
    if (given === undefined) return undefined;
    if (typeof given !== 'string' || !given || given.length > 255) {
      throw new InputError(`${key} must be given once, as 1 to 255 characters`);
    }
    return given;
  };
  const datasetId = value('datasetId');
  const datasetVersion = value('datasetVersion');
  if (datasetVersion && !datasetId) {
    throw new InputError('datasetVersion filters jobs only with datasetId');
  }
  return { datasetId, datasetVersion };
}
