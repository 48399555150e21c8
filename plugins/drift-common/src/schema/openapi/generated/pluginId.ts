export const pluginId = 'drift';
