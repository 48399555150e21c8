export interface Config {
  mlops?: {
    /** Outgoing connections to addresses that users give the portal. */
    network?: {
      /**
       * Addresses or CIDR ranges (e.g. 10.0.0.0/8, 127.0.0.1/32, fd00::/8) that user-given
       * endpoints may resolve to although they are not public: loopback, private, link-local and
       * similar addresses are refused otherwise. Applies to S3 connections (datasets) and external
       * Ray clusters created through the portal; clusters defined in app-config are not checked.
       * Default: none.
       */
      allowedEndpoints?: string[];
    };
    /** Where the charts of the portal (jobs, clusters, serving) read their series. */
    monitoring?: {
      prometheus?: {
        /** Prometheus's base URL, e.g. http://127.0.0.1:9090. Without it, charts say so. */
        baseUrl?: string;
      };
    };
  };
}
