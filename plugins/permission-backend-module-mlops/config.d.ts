export interface Config {
  mlops?: {
    permissions?: {
      /**
       * Entity refs (groups or users) whose members may see and manage every team's resources.
       * Default: group:default/mlops-admins.
       */
      admins?: string[];
    };
  };
}
