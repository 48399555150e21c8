import { InputError } from '@backstage/errors';

/** KubeRay rejects RayCluster names longer than this (its MaxRayClusterNameLength). */
export const MAX_RAY_CLUSTER_NAME_LENGTH = 63;
/** KubeRay appends 6 characters to a RayJob/RayService name to name its cluster. */
export const MAX_RAY_JOB_OR_SERVICE_NAME_LENGTH =
  MAX_RAY_CLUSTER_NAME_LENGTH - 6;

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks that `value` is a DNS-1123 label (lowercase letters, digits and '-', starting and ending
 * with a letter or digit), at most `maxLength` characters. With `startWithLetter` it must also be a
 * DNS-1035 label, which KubeRay requires of RayCluster, RayJob and RayService names.
 */
export function assertDnsLabel(
  field: string,
  value: unknown,
  options: { maxLength?: number; startWithLetter?: boolean } = {},
): string {
  const maxLength = options.maxLength ?? 63;
  if (typeof value !== 'string' || value.length === 0) {
    throw new InputError(`${field} is required and must be a non-empty string`);
  }
  if (value.length > maxLength) {
    throw new InputError(
      `${field} "${value}" is ${value.length} characters long; at most ${maxLength} are allowed`,
    );
  }
  if (!DNS_1123_LABEL.test(value)) {
    throw new InputError(
      `${field} "${value}" is not a valid DNS-1123 label: use lowercase letters, digits and '-', starting and ending with a letter or digit`,
    );
  }
  if (options.startWithLetter && !/^[a-z]/.test(value)) {
    throw new InputError(
      `${field} "${value}" must start with a lowercase letter`,
    );
  }
  return value;
}

/**
 * Turns any string (such as an owner entity ref `group:default/ml-team`) into a valid Kubernetes
 * label value: at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric.
 */
export function toLabelValue(text: string): string {
  const replaced = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
  return replaced;
}

/**
 * The name of the Secret in which KubeRay stores the Ray auth token of a cluster when
 * `authOptions.mode` is `token` and no `authOptions.secretName` is given. KubeRay derives it from
 * the cluster name (utils.CheckName): the last 50 characters, with a leading digit or punctuation
 * replaced by 'r'.
 */
export function defaultAuthSecretName(rayClusterName: string): string {
  const maxLength = 50;
  let name =
    rayClusterName.length > maxLength
      ? rayClusterName.slice(rayClusterName.length - maxLength)
      : rayClusterName;
  if (/^[0-9\p{P}]/u.test(name)) {
    name = `r${name.slice(1)}`;
  }
  return name;
}
