/**
 * The result of checking one system a plugin depends on (Ray, MLflow, the object store, ...).
 *
 * @public
 */
export type DependencyCheck = {
  /** What was checked, e.g. "Ray cluster local". */
  name: string;
  ok: boolean;
  /** One sentence a user understands: what works, or what is wrong and where. */
  message: string;
  version?: string;
  /** Figures worth showing, e.g. CPU and GPU totals. */
  details?: Record<string, string | number | boolean>;
};

/**
 * What `GET /status` of every MLOps backend plugin returns.
 *
 * @public
 */
export type PluginStatus = {
  pluginId: string;
  checkedAt: string;
  dependencies: DependencyCheck[];
};

/**
 * A list route's response: the items the caller may see.
 *
 * @public
 */
export type ItemList<T> = {
  items: T[];
};
