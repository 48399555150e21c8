export { experimentsPlugin as default } from './plugin';
