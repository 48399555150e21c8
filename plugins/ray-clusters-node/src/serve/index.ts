export * from './rayServeSchema';
export * from './types';
export * from './RayServeApplications';
