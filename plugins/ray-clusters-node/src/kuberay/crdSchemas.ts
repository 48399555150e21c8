import { resolvePackagePath } from '@backstage/backend-plugin-api';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { KubeRayKind } from './types';

const CRD_FILES: Record<KubeRayKind, string> = {
  RayCluster: 'kuberay-v1.7.0-crd-ray.io_rayclusters.yaml',
  RayJob: 'kuberay-v1.7.0-crd-ray.io_rayjobs.yaml',
  RayService: 'kuberay-v1.7.0-crd-ray.io_rayservices.yaml',
};

/**
 * The folder with the KubeRay CRDs: MLOPS_SPECS_DIR (scripts/test.sh sets it), else ../shared/specs
 * next to the repository root (this package lies in <root>/plugins/).
 */
export function sharedSpecsDir(): string | undefined {
  const dir =
    process.env.MLOPS_SPECS_DIR ||
    resolvePackagePath(
      '@internal/backstage-plugin-ray-clusters-node',
      '../../../shared/specs',
    );
  return fs.existsSync(path.join(dir, CRD_FILES.RayCluster)) ? dir : undefined;
}

export const specsMissingMessage = `KubeRay CRD schemas not found in MLOPS_SPECS_DIR or ../shared/specs (relative to the repository root); skipping the manifest validation tests`;

/**
 * The API server with fieldValidation=Strict rejects fields a structural schema does not declare;
 * plain JSON Schema lets them through. Close every declared object so a misspelt field fails too.
 */
function closeObjects(schema: any): any {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!schema || typeof schema !== 'object') return schema;
  const copy: any = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] =
      key === 'properties'
        ? Object.fromEntries(
            Object.entries(value as object).map(([k, v]) => [
              k,
              closeObjects(v),
            ]),
          )
        : closeObjects(value);
  }
  if (
    copy.type === 'object' &&
    copy.properties &&
    copy.additionalProperties === undefined &&
    !copy['x-kubernetes-preserve-unknown-fields']
  ) {
    copy.additionalProperties = false;
  }
  return copy;
}

export type CrdValidator = (manifest: unknown) => ErrorObject[];

/** Validators for ray.io/v1 objects built from spec.versions[v1].schema.openAPIV3Schema of each CRD. */
export function loadCrdValidators(
  specsDir: string,
): Record<KubeRayKind, CrdValidator> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) =>
      Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat('int64', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n),
  });
  const entries = (Object.keys(CRD_FILES) as KubeRayKind[]).map(kind => {
    const crd = parse(
      fs.readFileSync(path.join(specsDir, CRD_FILES[kind]), 'utf8'),
    );
    const v1 = crd.spec.versions.find((v: { name: string }) => v.name === 'v1');
    const validate: ValidateFunction = ajv.compile(
      closeObjects(v1.schema.openAPIV3Schema),
    );
    const validator: CrdValidator = manifest =>
      validate(manifest) ? [] : [...(validate.errors ?? [])];
    return [kind, validator] as const;
  });
  return Object.fromEntries(entries) as Record<KubeRayKind, CrdValidator>;
}

export function formatErrors(errors: ErrorObject[]): string {
  return errors
    .map(
      e =>
        `${e.instancePath || '/'} ${e.message}${
          e.params ? ` ${JSON.stringify(e.params)}` : ''
        }`,
    )
    .join('\n');
}
