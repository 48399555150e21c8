/**
 * Test helpers for packages that build KubeRay manifests: validators from the real KubeRay CRD
 * schemas (../shared/specs, or MLOPS_SPECS_DIR).
 *
 * @packageDocumentation
 */
export {
  formatErrors,
  loadCrdValidators,
  sharedSpecsDir,
  specsMissingMessage,
} from './kuberay/crdSchemas';
export type { CrdValidator } from './kuberay/crdSchemas';
