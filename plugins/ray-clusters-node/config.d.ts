export interface Config {
  mlops?: {
    rayClusters?: {
      /** Ray clusters the portal runs work on. */
      clusters?: Array<{
        /** Unique short name, used in URLs and job records. */
        name: string;
        /** Display name. */
        title?: string;
        /** Entity ref of the owning team, e.g. group:default/data-science. */
        owner: string;
        /** local: started by the portal; external: existing cluster; kuberay: managed on Kubernetes. */
        driver?: 'local' | 'external' | 'kuberay';
        /** Base URL of the Ray dashboard server (Jobs, Serve and state APIs). */
        dashboardUrl: string;
        /**
         * Ray token-authentication token, sent as a bearer token.
         * @visibility secret
         */
        token?: string;
      }>;
    };
  };
}
