export interface Config {
  mlops?: {
    mlflow?: {
      /**
       * Base URL of the MLflow tracking server, e.g. http://127.0.0.1:5000. Required by the
       * experiments backend.
       */
      trackingUrl: string;
    };
  };
}
