import { DatasetVersion } from '@internal/backstage-plugin-datasets-common';

/**
 * POSTs a file's bytes with XMLHttpRequest, the only browser API that reports upload progress.
 * Resolves with the new version; rejects with the backend's error message.
 */
export function uploadWithProgress(options: {
  url: string;
  token?: string;
  file: Blob;
  onProgress: (fraction: number) => void;
}): Promise<DatasetVersion> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', options.url);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (options.token) {
      xhr.setRequestHeader('Authorization', `Bearer ${options.token}`);
    }
    xhr.upload.onprogress = event => {
      if (event.lengthComputable)
        options.onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: any;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        options.onProgress(1);
        resolve(body as DatasetVersion);
      } else {
        reject(
          new Error(
            body?.error?.message ?? `Upload failed with HTTP ${xhr.status}`,
          ),
        );
      }
    };
    xhr.onerror = () => reject(new Error('Upload failed: network error'));
    xhr.send(options.file);
  });
}
