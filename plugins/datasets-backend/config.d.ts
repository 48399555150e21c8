export interface Config {
  mlops?: {
    datasets?: {
      /** Where dataset files are stored. */
      objectStore?:
        | {
            /** local: a folder on the backend's machine (the embedded default). */
            type: 'local';
            /**
             * Folder of the local object store, created if missing; a relative path is resolved
             * against the backend's working directory.
             */
            root: string;
          }
        | {
            /** s3: a bucket of AWS S3, MinIO or another S3-compatible server. */
            type: 's3';
            /** Custom endpoint URL, e.g. http://minio:9000; the AWS endpoint when absent. */
            endpoint?: string;
            /** Default us-east-1. */
            region?: string;
            bucket: string;
            /** Key prefix inside the bucket for the portal's objects. */
            prefix?: string;
            /** Without keys, the AWS default credential chain is used. */
            accessKeyId?: string;
            /** @visibility secret */
            secretAccessKey?: string;
            /** Path-style addressing, needed by MinIO; default true when an endpoint is set. */
            forcePathStyle?: boolean;
          };
      /** Where uploads are spooled while they are checked; default the OS temp folder. */
      uploadTempDir?: string;
      /** Largest accepted upload in bytes; default 1 GiB. */
      maxUploadBytes?: number;
      /** Signed download URLs of a local object store, which Ray jobs fetch their files from. */
      downloads?: {
        /**
         * HMAC key of the URLs, at least 32 characters; the same for every backend instance so
         * that URLs outlive a restart. Default: a random key per start.
         * @visibility secret
         */
        signingKey?: string;
      };
      /** Resumable uploads of large files in parts (upload sessions). */
      uploadSessions?: {
        /** Size of each part but the last, in bytes; default 8 MiB, at least 5 MiB (S3's minimum). */
        partSizeBytes?: number;
        /** Sessions without a new part for this many hours are removed with their parts; default 24. */
        staleAfterHours?: number;
        /**
         * Most upload sessions under way at once on the datasets of one team (owner); more are
         * refused with 429. Default 4.
         */
        maxOpenPerTeam?: number;
        /**
         * Most bytes the sessions under way on one team's datasets may declare together; more are
         * refused with 429. Default 4 GiB, or maxUploadBytes when that is larger.
         */
        maxReservedBytesPerTeam?: number;
      };
      /** Largest image (PNG or JPEG) accepted in a dataset; larger ones are refused with 400. */
      images?: {
        /** Most pixels (width x height) of one image; default 50,000,000. */
        maxPixels?: number;
        /** Widest image in pixels; default 16,384. */
        maxWidth?: number;
        /** Tallest image in pixels; default 16,384. */
        maxHeight?: number;
      };
      /** Zip uploads: largest total uncompressed size in bytes (default 4 GiB) and compression ratio (default 100). */
      zip?: {
        maxUncompressedBytes?: number;
        maxCompressionRatio?: number;
      };
      /** User-added S3 connections. */
      connections?: {
        /**
         * 32 random bytes, base64 (openssl rand -base64 32): encrypts connection credentials at
         * rest (AES-256-GCM). Without it, connections cannot be added.
         * @visibility secret
         */
        encryptionKey?: string;
        /**
         * Allow endpoints that resolve to any address (no address check); default false, so that
         * users cannot point the backend at internal services. Prefer allow-listing the addresses
         * needed in mlops.network.allowedEndpoints, shared with external Ray clusters.
         */
        allowPrivateEndpoints?: boolean;
      };
      /** Sample datasets registered on start: MNIST and a small synthetic table. */
      samples?: {
        /** Default true. */
        enabled?: boolean;
        /** Entity ref of the owning team; default group:default/data-science. */
        owner?: string;
      };
    };
  };
}
