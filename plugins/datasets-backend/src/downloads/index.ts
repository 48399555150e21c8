export { createDownloadRouter, DOWNLOADS_PATH } from './downloadRouter';
export { DownloadSigner, MAX_DOWNLOAD_URL_SECONDS } from './DownloadSigner';
