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
    };
  };
}
