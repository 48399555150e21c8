export * from './DatabaseDriftMonitorStore';
