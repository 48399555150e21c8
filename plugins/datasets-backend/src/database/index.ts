export * from './DatabaseDatasetStore';
