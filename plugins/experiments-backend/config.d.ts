export interface Config {
  mlops?: {
    mlflow?: {
      /**
       * Base URL of the MLflow tracking server, e.g. http://127.0.0.1:5000. Required by the
       * experiments backend; training jobs log to it as well.
       */
      trackingUrl: string;
      /**
       * MLflow's admin user for the portal's backend, when MLflow runs with its authentication
       * (`mlflow server --app-name basic-auth`; scripts/stack.sh sets both). The backend reads
       * runs, creates experiments and gives each team an MLflow user of its own for its jobs.
       * Leave both unset for an MLflow without authentication (jobs then log without credentials).
       */
      username?: string;
      /**
       * Password of `username`; each team's MLflow password is derived from it.
       * @visibility secret
       */
      password?: string;
    };
    /** Training jobs: model templates, the job queue, its worker and the status reconciler. */
    experiments?: {
      /**
       * The portal's Python runtime folder (runtime/): model templates are read from
       * `<runtimePath>/src/mlops_runtime/templates/*.json`, and Ray runs the template's entrypoint
       * with `PYTHONPATH=<runtimePath>/src`. Default: `$MLOPS_ROOT/runtime`, else the runtime/
       * folder of the repository the backend runs from.
       */
      runtimePath?: string;
      /**
       * Folder for the jobs' checkpoints and outputs (one subfolder per job); must be reachable
       * from the Ray workers. Default: `$MLOPS_DATA/training`, else `<tmp>/mlops/training`.
       */
      storagePath?: string;
      /**
       * Ray cluster (a name from mlops.rayClusters.clusters) of jobs that name none, used only for
       * the jobs of the team that owns it; other teams' jobs run on their own first cluster.
       * Default "local".
       */
      defaultCluster?: string;
      queue?: {
        /**
         * `database` (default: a table in the plugin's database, no server) or `rabbitmq`.
         */
        driver?: 'database' | 'rabbitmq';
        rabbitmq?: {
          /**
           * Broker URL, e.g. amqp://user:password@host:5672; required with the rabbitmq driver.
           * @visibility secret
           */
          url?: string;
          /** Queue name, and prefix of its retry and dead-letter queues. Default "experiments.jobs". */
          queueName?: string;
        };
        /** Deliveries of a job before it fails (e.g. with "Ray cluster unreachable"). Default 5. */
        maxAttempts?: number;
        /** Backoff before the second delivery, doubling after each. Default 2000 ms. */
        initialBackoffMs?: number;
        /** Database driver: how long a delivery stays leased to a worker that stopped answering. Default 60000 ms. */
        visibilityTimeoutMs?: number;
      };
      worker?: {
        /**
         * Run the worker (submits queued jobs to Ray) and the reconciler (follows them) in this
         * backend. Default true; several backend replicas may run them at once.
         */
        enabled?: boolean;
        /** Deliveries handled at once by this worker. Default 4. */
        prefetch?: number;
        /**
         * CPUs Ray reserves for each job's entrypoint (driver) process. Default 0: the driver only
         * waits for Ray Train's workers, which reserve the job's CPUs themselves, so a job asking
         * for all of a cluster's CPUs still fits.
         */
        entrypointNumCpus?: number;
      };
      /** How often the reconciler asks Ray about running jobs. Default 2000 ms. */
      reconcileIntervalMs?: number;
      /**
       * Admission: what a job and a team may ask for. A job that cannot fit its cluster (more
       * CPUs or GPUs than a fixed-size cluster has) is refused at submission with a 400.
       */
      limits?: {
        /**
         * Queued, starting, running and cancelling jobs of one team at once; a submission past
         * it answers 429. Default 10.
         */
        maxActiveJobsPerTeam?: number;
        /** The fewest CPUs one worker may ask for (resources.cpusPerWorker). Default 0.1. */
        minCpusPerWorker?: number;
        /** The deepest nesting of objects and arrays in a request body. Default 32. */
        maxBodyDepth?: number;
      };
      /** Uploaded custom model modules, each checked in a short Ray job before it is stored. */
      customModels?: {
        /**
         * Ray cluster that runs the checks of the team owning it (default: defaultCluster); other
         * teams' checks run on their own first cluster, or the one the upload names.
         */
        checkCluster?: string;
        /** How long an upload waits for the check's verdict. Default 120. */
        checkTimeoutSeconds?: number;
        /** Largest module accepted. Default 65536 bytes. */
        maxSourceBytes?: number;
      };
      /** Auto-tune jobs: what one may spend (a 400 names a budget above it) and the default budget. */
      autoTune?: {
        /** Trials of one auto-tune job at most. Default 50. */
        maxTrials?: number;
        /** Trials running at once at most. Default 4. */
        maxConcurrency?: number;
        /** Time limit of one auto-tune job at most. Default 120 minutes. */
        maxTimeLimitMinutes?: number;
        /** Quotas of single teams, in place of the ones above; a limit left out is the general one. */
        teams?: Array<{
          /** Entity ref of the team, e.g. group:default/data-science. */
          owner: string;
          maxTrials?: number;
          maxConcurrency?: number;
          maxTimeLimitMinutes?: number;
        }>;
        /** The budget of a request that names none (capped at the quota). Default 10 trials, 2 at once, 10 minutes. */
        defaultBudget?: {
          trials?: number;
          concurrency?: number;
          timeLimitMinutes?: number;
        };
      };
    };
  };
}
