export { experimentsPlugin as default } from './plugin';
export { experimentsApiRef } from './api';
