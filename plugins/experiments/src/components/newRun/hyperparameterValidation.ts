import { ErrorTransformer, RJSFSchema, RJSFValidationError } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { JsonValue } from '@backstage/types';
import { HyperparameterSchema } from '@internal/backstage-plugin-experiments-common';

function friendlyMessage(error: RJSFValidationError): string | undefined {
  const limit = error.params?.limit;
  switch (error.name) {
    case 'minimum':
      return `must be at least ${limit}`;
    case 'maximum':
      return `must be at most ${limit}`;
    case 'exclusiveMinimum':
      return `must be greater than ${limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${limit}`;
    case 'type':
      if (error.params?.type === 'integer') return 'must be a whole number';
      if (error.params?.type === 'number') return 'must be a number';
      return undefined;
    default:
      return undefined;
  }
}

/** Ajv's messages ("must be <= 50") in the words the form shows ("must be at most 50"). */
export const transformHyperparameterErrors: ErrorTransformer = errors =>
  errors.map(error => {
    const message = friendlyMessage(error);
    return message
      ? { ...error, message, stack: `${error.property} ${message}` }
      : error;
  });

/** The hyperparameters the template declares with a default, as the form starts with them. */
export function defaultHyperparameters(
  schema: HyperparameterSchema,
): Record<string, JsonValue> {
  const defaults: Record<string, JsonValue> = {};
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (property.default !== undefined) defaults[key] = property.default;
  }
  return defaults;
}

/** Validates hyperparameters against the template's schema, as the form does while typing. */
export function hyperparameterErrors(
  schema: HyperparameterSchema,
  values: Record<string, JsonValue>,
): RJSFValidationError[] {
  return validator.validateFormData(
    values,
    schema as RJSFSchema,
    undefined,
    transformHyperparameterErrors,
  ).errors;
}

export { validator as hyperparameterValidator };
