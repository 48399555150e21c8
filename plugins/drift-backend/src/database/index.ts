export * from './DatabaseDriftStore';
