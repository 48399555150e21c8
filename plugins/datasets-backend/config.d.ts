export interface Config {
  mlops?: {
    datasets?: {
      /** Where dataset files are stored. */
      objectStore?: {
        /** local: a folder on the backend's machine. */
        type: 'local';
        /**
         * Folder of the local object store, created if missing; a relative path is resolved
         * against the backend's working directory.
         */
        root: string;
      };
    };
  };
}
