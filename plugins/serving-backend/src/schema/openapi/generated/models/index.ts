//

export * from '../models/ApiKey.model';
export * from '../models/Autoscaling.model';
export * from '../models/ChangeReason.model';
export * from '../models/CreateApiKeyRequest.model';
export * from '../models/CreateDeploymentRequest.model';
export * from '../models/CreatedApiKey.model';
export * from '../models/DependencyCheck.model';
export * from '../models/DeploymentHistoryEntry.model';
export * from '../models/DeploymentVersion.model';
export * from '../models/ErrorError.model';
export * from '../models/ErrorRequest.model';
export * from '../models/ErrorResponse.model';
export * from '../models/GetDeploymentHistory200Response.model';
export * from '../models/ListApiKeys200Response.model';
export * from '../models/ListDeployments200Response.model';
export * from '../models/ModelDeployment.model';
export * from '../models/ModelDeploymentDetails.model';
export * from '../models/ModelDeploymentState.model';
export * from '../models/ModelError.model';
export * from '../models/PluginStatus.model';
export * from '../models/ReplicaResources.model';
export * from '../models/RollbackRequest.model';
export * from '../models/Scaling.model';
export * from '../models/SetTrafficRequest.model';
export * from '../models/ShadowTraffic.model';
