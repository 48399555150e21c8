import { JsonObject } from '@backstage/types';
import { SEARCH_DIMENSION_TYPES } from './tune';
import { HyperparameterSchema } from './types';

/**
 * A problem with one dimension of a search space: `name` is the hyperparameter, `path` the field
 * (e.g. "dropout.min", "batch_size.values[1]").
 *
 * @public
 */
export type SearchSpaceProblem = {
  name: string;
  path: string;
  message: string;
};

const RANGE_HYPERPARAMETER_TYPE: Record<string, string> = {
  uniform: 'number',
  loguniform: 'number',
  int: 'integer',
};

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function hasType(value: unknown, type: unknown): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return isNumber(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    default:
      return true;
  }
}

/** The hyperparameter schema's problem with one value, as the runtime words it. */
export function hyperparameterValueProblem(
  spec: JsonObject,
  value: unknown,
): string | undefined {
  if (spec.type !== undefined && !hasType(value, spec.type)) {
    const article = String(spec.type).match(/^[aeiou]/) ? 'an' : 'a';
    return `must be ${article} ${spec.type}, got ${show(value)}`;
  }
  if (Array.isArray(spec.enum) && !spec.enum.includes(value as never)) {
    return `must be one of ${spec.enum.map(show).join(', ')}, got ${show(
      value,
    )}`;
  }
  if (isNumber(value)) {
    const bounds: Array<[string, (a: number, b: number) => boolean, string]> = [
      ['minimum', (a, b) => a >= b, '>='],
      ['maximum', (a, b) => a <= b, '<='],
      ['exclusiveMinimum', (a, b) => a > b, '>'],
      ['exclusiveMaximum', (a, b) => a < b, '<'],
    ];
    for (const [keyword, holds, symbol] of bounds) {
      const limit = spec[keyword];
      if (typeof limit === 'number' && !holds(value, limit)) {
        return `must be ${symbol} ${limit}, got ${value}`;
      }
    }
  }
  return undefined;
}

function rangeProblems(
  name: string,
  spec: JsonObject,
  type: string,
  dimension: Record<string, unknown>,
): Array<[string, string]> {
  const expected = RANGE_HYPERPARAMETER_TYPE[type];
  if (spec.type !== expected) {
    const hint =
      spec.type === 'string' || spec.type === 'boolean' ? '; use choice' : '';
    return [
      [
        name,
        `a ${type} dimension needs ${
          expected === 'integer' ? 'an' : 'a'
        } ${expected} hyperparameter, this one is ${
          spec.type ?? 'untyped'
        }${hint}`,
      ],
    ];
  }
  const problems: Array<[string, string]> = [];
  for (const bound of ['min', 'max'] as const) {
    const value = dimension[bound];
    if (!isNumber(value) || (type === 'int' && !Number.isInteger(value))) {
      problems.push([
        `${name}.${bound}`,
        `must be ${type === 'int' ? 'an integer' : 'a number'}, got ${show(
          value,
        )}`,
      ]);
    } else {
      const problem = hyperparameterValueProblem(spec, value);
      if (problem) problems.push([`${name}.${bound}`, problem]);
    }
  }
  if (problems.length > 0) return problems;
  const min = dimension.min as number;
  const max = dimension.max as number;
  if (min >= max) {
    problems.push([name, `min (${min}) must be less than max (${max})`]);
  }
  if (type === 'loguniform' && min <= 0) {
    problems.push([`${name}.min`, `must be > 0 on a log scale, got ${min}`]);
  }
  return problems;
}

function choiceProblems(
  name: string,
  spec: JsonObject,
  values: unknown,
): Array<[string, string]> {
  if (!Array.isArray(values) || values.length === 0) {
    return [[`${name}.values`, 'must be a non-empty list']];
  }
  const problems: Array<[string, string]> = [];
  values.forEach((value, index) => {
    const where = `${name}.values[${index}]`;
    if (values.slice(0, index).some(other => other === value)) {
      problems.push([where, `${show(value)} is listed twice`]);
    }
    const problem = hyperparameterValueProblem(spec, value);
    if (problem) problems.push([where, problem]);
  });
  return problems;
}

/**
 * Problems with a search space for a template's hyperparameters, one per field: every name a
 * hyperparameter, ranges only over numeric ones (int over integers), min below max, a log scale
 * above 0, choices not empty, and every value a dimension can produce valid for the
 * hyperparameter's schema. The same rules as the runtime's `templates/search_space.py`.
 *
 * @public
 */
export function searchSpaceProblems(
  schema: HyperparameterSchema,
  space: unknown,
): SearchSpaceProblem[] {
  if (typeof space !== 'object' || space === null || Array.isArray(space)) {
    return [
      {
        name: '',
        path: '',
        message: 'must be an object of hyperparameter name to dimension',
      },
    ];
  }
  const properties = schema.properties ?? {};
  const problems: SearchSpaceProblem[] = [];
  for (const [name, dimension] of Object.entries(space)) {
    const add = (entries: Array<[string, string]>) =>
      problems.push(
        ...entries.map(([path, message]) => ({ name, path, message })),
      );
    const spec = properties[name];
    if (!spec) {
      add([
        [
          name,
          `is not a hyperparameter of this template (known: ${Object.keys(
            properties,
          )
            .sort()
            .join(', ')})`,
        ],
      ]);
      continue;
    }
    if (
      typeof dimension !== 'object' ||
      dimension === null ||
      Array.isArray(dimension)
    ) {
      add([[name, 'must be an object with a type']]);
      continue;
    }
    const fields = dimension as Record<string, unknown>;
    const type = fields.type;
    if (
      typeof type !== 'string' ||
      !(SEARCH_DIMENSION_TYPES as readonly string[]).includes(type)
    ) {
      add([
        [
          `${name}.type`,
          `must be one of ${SEARCH_DIMENSION_TYPES.join(', ')}, got ${show(
            type,
          )}`,
        ],
      ]);
      continue;
    }
    const allowed =
      type === 'choice' ? ['type', 'values'] : ['type', 'min', 'max'];
    const unknown = Object.keys(fields).filter(key => !allowed.includes(key));
    if (unknown.length > 0) {
      add([
        [
          name,
          `unknown key(s) ${unknown
            .map(show)
            .join(', ')} for a ${type} dimension`,
        ],
      ]);
      continue;
    }
    add(
      type === 'choice'
        ? choiceProblems(name, spec, fields.values)
        : rangeProblems(name, spec, type, fields),
    );
  }
  return problems;
}
