export interface Config {
  mlops?: {
    /** New ML project templates (the scaffolder module of the portal). */
    projects?: {
      /**
       * Folder under which `mlops:publish:local-git` creates one git repository per project
       * (`<localGitRoot>/<name>`); the publishing target that needs no network. Default
       * `$MLOPS_DATA/projects`, else `<tmp>/mlops/projects`.
       */
      localGitRoot?: string;
    };
  };
}
