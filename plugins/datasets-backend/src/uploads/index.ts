export * from './UploadSessions';
export * from './UploadSessionStore';
export * from './uploadSessionRoutes';
export * from './createUploadSessions';
