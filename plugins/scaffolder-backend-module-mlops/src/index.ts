/**
 * The mlops module for the scaffolder: actions of the New ML project templates.
 *
 * @packageDocumentation
 */

import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { catalogModuleMlopsProjects } from './catalog/module';
import { scaffolderModuleMlops } from './module';

/**
 * The scaffolder actions and, for `mlops:catalog:register-local`, the catalog module that reads
 * the local project repositories.
 *
 * @public
 */
export default createBackendFeatureLoader({
  loader: () => [scaffolderModuleMlops, catalogModuleMlopsProjects],
});
export { scaffolderModuleMlops, catalogModuleMlopsProjects };
export { CREATE_PROJECT_ACTION } from './actions/createProject';
export { CREATE_MLFLOW_EXPERIMENT_ACTION } from './actions/createMlflowExperiment';
export { BIND_DATASET_ACTION } from './actions/bindDataset';
export { FETCH_CUSTOM_MODEL_ACTION } from './actions/fetchCustomModel';
export { PUBLISH_LOCAL_GIT_ACTION } from './actions/publishLocalGit';
export { REGISTER_LOCAL_PROJECT_ACTION } from './actions/registerLocalProject';
