import { MetricsService } from '@backstage/backend-plugin-api/alpha';

/**
 * Why an upload was refused: a small fixed set, so that the label never grows with users,
 * datasets or file names.
 */
export type UploadRejectionReason =
  | 'too_large'
  | 'unsupported_type'
  | 'invalid'
  | 'quota'
  | 'conflict';

const REASONS: UploadRejectionReason[] = [
  'too_large',
  'unsupported_type',
  'invalid',
  'quota',
  'conflict',
];

const REASON_BY_ERROR: Record<string, UploadRejectionReason> = {
  PayloadTooLargeError: 'too_large',
  UnsupportedMediaTypeError: 'unsupported_type',
  InputError: 'invalid',
  TooManyRequestsError: 'quota',
  ConflictError: 'conflict',
};

/**
 * The reason an error refuses an upload; undefined for errors that are not the upload's fault
 * (the object store or the database failing, a missing dataset or session).
 */
export function uploadRejectionReason(
  error: unknown,
): UploadRejectionReason | undefined {
  const name = (error as Error | undefined)?.name;
  return typeof name === 'string' ? REASON_BY_ERROR[name] : undefined;
}

/**
 * The datasets plugin's upload metrics, created once per plugin through the MetricsService:
 *
 * - mlops_dataset_upload_bytes_total: bytes of uploaded files accepted into a dataset version
 *   (a direct upload, or a completed upload session), counted once the version is committed
 * - mlops_dataset_upload_rejections_total{reason}: upload requests refused, by reason
 *   (see UploadRejectionReason)
 */
export class DatasetUploadMetrics {
  private readonly bytes;
  private readonly rejections;
  /** Errors already counted: an error passes through several layers that each report it. */
  private readonly counted = new WeakSet<object>();

  constructor(metrics: MetricsService) {
    this.bytes = metrics.createCounter('mlops_dataset_upload_bytes_total', {
      description:
        'Bytes of uploaded files accepted into a dataset version (direct uploads and completed upload sessions)',
      unit: 'By',
    });
    this.rejections = metrics.createCounter<{ reason: UploadRejectionReason }>(
      'mlops_dataset_upload_rejections_total',
      { description: 'Upload requests refused, by reason' },
    );
    // Every series exists from the start, so that rate() sees the first upload and rejection.
    this.bytes.add(0);
    for (const reason of REASONS) this.rejections.add(0, { reason });
  }

  accepted(bytes: number): void {
    this.bytes.add(bytes);
  }

  /** Counts `error` once if it refuses an upload. */
  rejected(error: unknown): void {
    const reason = uploadRejectionReason(error);
    if (!reason || this.counted.has(error as object)) return;
    this.counted.add(error as object);
    this.rejections.add(1, { reason });
  }

  /** Runs one upload step, counting the error that refuses it. */
  async track<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      this.rejected(error);
      throw error;
    }
  }
}
