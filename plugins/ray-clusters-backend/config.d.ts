export interface Config {
  mlops?: {
    rayClusters?: {
      /** Clusters the portal starts on this machine (driver local, created through the API). */
      local?: {
        /**
         * Python environment with Ray (its bin/ray is run); the MLOPS_VENV environment variable
         * wins, then this, then .venv in the current folder.
         */
        venv?: string;
        /** Parent of each cluster's Ray temp folder (default /tmp); keep it short. */
        tempRoot?: string;
        /** Object store size of each head in bytes (default 500000000). */
        objectStoreBytes?: number;
        /** How long a head may take to start, in seconds (default 180). */
        startTimeoutSeconds?: number;
        /** Restarts of a head that died before the cluster is marked failed (default 3). */
        maxRestarts?: number;
        /** Wait before the first restart in milliseconds, doubling each time (default 2000). */
        restartBackoffMs?: number;
        /** How often clusters are checked for idleness, in seconds (default 30). */
        idleCheckSeconds?: number;
        /**
         * Folder Prometheus reads scrape targets from (file-based service discovery, `*.json`):
         * each running head writes one file there, its metrics ports (node, dashboard,
         * autoscaler) labelled `ray_cluster: <cluster name>`, and removes it when it stops.
         * Unset: no file.
         */
        prometheusTargetsDir?: string;
      };
      /** KubeRay driver; offered only when a kubeconfig (or in-cluster credentials) is given. */
      kuberay?: {
        /** Path of a kubeconfig file, or "in-cluster" for the pod's service account. */
        kubeconfig: string;
        /** Context of the kubeconfig to use. */
        context?: string;
        /** Namespace the RayClusters are created in (default ray-clusters). */
        namespace?: string;
      };
      /** Limits per team on clusters created through the portal. */
      quotas?: {
        /** Applies to teams without an entry of their own. */
        default?: {
          maxClusters?: number;
          maxCpus?: number;
          maxGpus?: number;
        };
        teams?: Array<{
          /** Entity ref of the team, e.g. group:default/data-science. */
          team: string;
          maxClusters?: number;
          maxCpus?: number;
          maxGpus?: number;
        }>;
      };
    };
  };
}
