import { KubeConfig } from '@kubernetes/client-node';

export type KubeConfigSource =
  /** The service account of the pod the portal runs in. */
  | { type: 'in-cluster' }
  /** A kubeconfig file (default: $KUBECONFIG or ~/.kube/config), optionally one of its contexts. */
  | { type: 'kubeconfig'; path?: string; context?: string };

/** Loads the credentials the KubeRay driver uses to reach the Kubernetes API. */
export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (source.type === 'in-cluster') {
    kubeConfig.loadFromCluster();
    return kubeConfig;
  }
  if (source.path) {
    kubeConfig.loadFromFile(source.path);
  } else {
    kubeConfig.loadFromDefault();
  }
  if (source.context) {
    kubeConfig.setCurrentContext(source.context);
  }
  return kubeConfig;
}
