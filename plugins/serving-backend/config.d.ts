export interface Config {
  mlops?: {
    serving?: {
      /**
       * Where Ray Serve's HTTP proxy listens when the portal is the first to start Serve on a
       * cluster (an already running Serve keeps its own). Default 127.0.0.1:8000.
       */
      serveHttp?: {
        host?: string;
        port?: number;
      };
      /**
       * The ingress's sampled inference log, which drift checks read: one folder per deployment
       * under `uri` (file:///absolute/folder for a cluster on this machine, or s3://bucket/prefix
       * with the cluster's own S3 credentials). Off without `uri`.
       */
      inferenceLog?: {
        uri?: string;
        /** Share of requests logged, 0 to 1 (default 1). */
        sampleRate?: number;
        /** Rows per Parquet file (default 100). */
        batchSize?: number;
        /** A partly filled file is written after this many seconds (default 10). */
        flushIntervalSeconds?: number;
      };
    };
  };
}
