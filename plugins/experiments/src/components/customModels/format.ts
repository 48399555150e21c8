import { JsonObject } from '@backstage/types';

/** "31,530": a parameter count as a person reads it. */
export function formatParameterCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** "4 to 64", "> 0, at most 1", "one of a, b": the values a schema property allows. */
export function allowedValues(property: JsonObject): string {
  if (Array.isArray(property.enum)) {
    return `one of ${property.enum.map(String).join(', ')}`;
  }
  const low =
    property.minimum !== undefined
      ? `at least ${property.minimum}`
      : property.exclusiveMinimum !== undefined &&
        `more than ${property.exclusiveMinimum}`;
  const high =
    property.maximum !== undefined
      ? `at most ${property.maximum}`
      : property.exclusiveMaximum !== undefined &&
        `less than ${property.exclusiveMaximum}`;
  return [low, high].filter(Boolean).join(', ') || 'any';
}
