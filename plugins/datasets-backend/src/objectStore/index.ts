export * from './ObjectStore';
export * from './LocalDirectoryObjectStore';
export * from './keys';
export * from './createObjectStore';
export * from './S3ObjectStore';
