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

/**
 * One file of a dataset version: where it lies in the object store and what it contains.
 *
 * @public
 */
export type DatasetFile = {
  /** The file's path inside the dataset, e.g. "train-images-idx3-ubyte" or "images/0/1.png". */
  path: string;
  /** Object key in the object store. */
  key: string;
  size: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
};

/**
 * An immutable version of a dataset, without its file list.
 *
 * @public
 */
export type DatasetVersionSummary = {
  datasetId: string;
  /** SHA-256 of the manifest (hex): the same files give the same version id. */
  version: string;
  /** The version this one was made from, if any. */
  parentVersion?: string;
  fileCount: number;
  totalBytes: number;
  /** What made this version, e.g. "upload train.csv" or "register prefix raw/mnist/". */
  message?: string;
  createdBy: string;
  createdAt: string;
};

/**
 * An immutable version of a dataset with its manifest; training jobs pin one by id.
 *
 * @public
 */
export type DatasetVersion = DatasetVersionSummary & {
  files: DatasetFile[];
};

/** @public */
export type CreateDatasetRequest = {
  name: string;
  /**
   * Entity ref of the owner; one of the caller's ownership refs. Default: the caller's first
   * team, or the caller when they belong to none.
   */
  owner?: string;
  description?: string;
};

/** @public */
export type RegisterPrefixRequest = {
  /** Key prefix in the object store; every object under it becomes a file of the new version. */
  prefix: string;
};

/**
 * Shape of an IDX file: element type and dimensions (records first).
 *
 * @public
 */
export type IdxSchema = {
  kind: 'idx';
  dataType: string;
  dimensions: number[];
};

/** @public */
export type ColumnType = 'integer' | 'number' | 'boolean' | 'string';

/** @public */
export type TableSchema = {
  kind: 'table';
  columns: {
    name: string;
    type: ColumnType;
    /** The file's own type of the column where it has one, e.g. Parquet's "INT64 (TIMESTAMP)". */
    sourceType?: string;
  }[];
  rowCount: number;
};

/**
 * One array of a numpy .npz file.
 *
 * @public
 */
export type NpzArrayInfo = {
  name: string;
  /** numpy's dtype string, e.g. "<u1", "<f4", "<U5". */
  dtype: string;
  shape: number[];
  fortranOrder: boolean;
};

/** @public */
export type NpzSchema = { kind: 'npz'; arrays: NpzArrayInfo[] };

/**
 * Images in one subfolder per class (`<root>/<class>/<image>`), the folder a file belongs to.
 *
 * @public
 */
export type ImageFolderSchema = {
  kind: 'imageFolder';
  /** The folder holding the class folders; '' for the dataset's top. */
  root: string;
  classes: { name: string; count: number }[];
  /** Sizes of the images measured (a sample across classes), with how many have each size. */
  imageSizes: { width: number; height: number; count: number }[];
  sizesMeasured: number;
};

/** @public */
export type FileSchema =
  | IdxSchema
  | TableSchema
  | NpzSchema
  | ImageFolderSchema
  | { kind: 'other' };

/**
 * First records of a file: rows of a table (or of several, e.g. the arrays of an .npz file), or
 * images (PNG/JPEG data URLs) with labels: numbers, or class names for image folders.
 *
 * @public
 */
export type FilePreview =
  | {
      kind: 'table';
      columns: string[];
      rows: string[][];
    }
  | {
      kind: 'tables';
      tables: { name: string; columns: string[]; rows: string[][] }[];
    }
  | {
      kind: 'images';
      /** 0 when the images differ in size. */
      width: number;
      height: number;
      images: { index: number; label?: number | string; dataUrl: string }[];
      /** Where the images and labels come from, e.g. "x_train, labels from y_train". */
      caption?: string;
    }
  | { kind: 'other' };

/**
 * How many records or images carry each label or class.
 *
 * @public
 */
export type ClassCount = { label: number | string; count: number };

/** @public */
export type ColumnSummary = {
  name: string;
  type: ColumnType;
  count: number;
  missing: number;
  distinct: number;
  min?: number;
  max?: number;
  mean?: number;
  std?: number;
  /** Numeric columns: equal-width bins between min and max. */
  histogram?: { from: number; to: number; count: number }[];
  /** Non-numeric columns: the most frequent values. */
  topValues?: { value: string; count: number }[];
};

/**
 * Statistics of a file, for charts.
 *
 * @public
 */
export type FileStatistics =
  | { kind: 'table'; rowCount: number; columns: ColumnSummary[] }
  | {
      kind: 'idx';
      dimensions: number[];
      /** Label files: how many records carry each label. */
      classCounts?: { label: number; count: number }[];
      /** Image files: mean pixel value. */
      meanValue?: number;
    }
  | {
      kind: 'npz';
      arrays: NpzArrayInfo[];
      /** Class balance of the label array, when the file has one. */
      labels?: { array: string; classCounts: ClassCount[] };
    }
  | {
      kind: 'imageFolder';
      root: string;
      imageCount: number;
      classCounts: ClassCount[];
    }
  | { kind: 'other' };

/**
 * A user-added S3 connection. Its credentials are stored encrypted and never returned.
 *
 * @public
 */
export type DatasetConnection = {
  id: string;
  name: string;
  owner: string;
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  forcePathStyle: boolean;
  createdBy: string;
  createdAt: string;
};

/** @public */
export type CreateConnectionRequest = {
  name: string;
  /** Default: the caller's first team. */
  owner?: string;
  endpoint: string;
  region?: string;
  bucket: string;
  prefix?: string;
  /** Default true (MinIO and most S3-compatible servers need path-style addressing). */
  forcePathStyle?: boolean;
  accessKeyId: string;
  secretAccessKey: string;
};

/**
 * Copies the objects under `prefix` of a connection into the portal's store as a new version.
 *
 * @public
 */
export type ImportRequest = {
  connectionId: string;
  prefix: string;
};
