/**
 * A dataset as the portal shows it: a named, owned collection of files in the object store.
 *
 * @public
 */
export type Dataset = {
  id: string;
  name: string;
  /** Entity ref of the owning team. */
  owner: string;
  description?: string;
  /** File format of the dataset's content, e.g. "csv", "parquet", "idx". */
  format?: string;
  /** The newest immutable version, when one was uploaded. */
  latestVersion?: string;
  createdAt: string;
  updatedAt: string;
};
